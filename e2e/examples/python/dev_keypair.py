"""The dev accounts' sr25519 keys (//Alice ... //Ferdie), for async-substrate-interface.

async-substrate-interface signs with any object that has `crypto_type`, `public_key`,
`ss58_address`, `ss58_format` and `sign(data)` (its `Keypair` protocol) but ships none;
this is one, derived as Substrate derives `//Name` from the dev phrase: the BIP39 mini
secret of the phrase, then one hard junction per `//` part (its chain code: the SCALE
encoding of the name, zero-padded to 32 bytes). On a real chain, sign with a wallet.
"""

from hashlib import blake2b

import bip39
import sr25519
from scalecodec.base import ScaleBytes
from scalecodec.utils.ss58 import ss58_encode

DEV_PHRASE = "bottom drive obey lake curtain smoke basket hold race lonely fit walk"
SR25519 = 1  # async-substrate-interface's KeypairType.SR25519


def _chain_code(junction: str) -> bytes:
    """A junction's chain code: its SCALE encoding (a string), padded or hashed to 32 bytes."""
    if junction.isdigit():
        encoded = int(junction).to_bytes(8, "little")
    else:
        raw = junction.encode()
        if len(raw) >= 1 << 6:
            raise ValueError("junctions of 64 bytes or more are not supported here")
        encoded = bytes([len(raw) << 2]) + raw  # compact length (one byte) + UTF-8
    return encoded.ljust(32, b"\0") if len(encoded) <= 32 else blake2b(encoded, digest_size=32).digest()


class DevKeypair:
    """An sr25519 key pair derived from the dev phrase by hard junctions, e.g. `//Dave`."""

    def __init__(self, uri: str, ss58_format: int = 42):
        if not uri.startswith("//"):
            raise ValueError("only hard-derived dev keys such as //Dave are supported")
        public, secret = sr25519.pair_from_seed(bytes(bip39.bip39_to_mini_secret(DEV_PHRASE, "")))
        for junction in uri[2:].split("//"):
            _, public, secret = sr25519.hard_derive_keypair((_chain_code(junction), public, secret), b"")
        self._public = bytes(public)
        self._secret = bytes(secret)
        self._ss58_format = ss58_format

    @classmethod
    def dev(cls, name: str, ss58_format: int = 42) -> "DevKeypair":
        """`DevKeypair.dev('dave')` is //Dave."""
        return cls(f"//{name[0].upper()}{name[1:].lower()}", ss58_format)

    @property
    def crypto_type(self) -> int:
        return SR25519

    @property
    def public_key(self) -> bytes:
        return self._public

    @property
    def ss58_format(self) -> int:
        return self._ss58_format

    @property
    def ss58_address(self) -> str:
        return ss58_encode(self._public, self._ss58_format)

    def sign(self, data) -> bytes:
        """Signs `data` (bytes, hex or ScaleBytes: the payload the library built)."""
        if isinstance(data, ScaleBytes):
            data = data.data
        elif isinstance(data, str):
            data = bytes.fromhex(data.removeprefix("0x"))
        return bytes(sr25519.sign((self._public, self._secret), bytes(data)))
