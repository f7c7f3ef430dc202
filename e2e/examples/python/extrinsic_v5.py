"""Decodes a block's extrinsics where async-substrate-interface cannot: format v5.

async-substrate-interface 2.2.1 (its codec, cyscale 0.8.0, like substrate-interface 1.8.1
with scalecodec 1.2.12) knows extrinsic format v4 only. A block that holds a v5 "general"
transaction, which is how the operators' nodes submit their commitments and reveals (no
signer: the runtime's `AuthorizeCall` extension lets the call authorize itself), fails
`get_block` with

    RemainingScaleBytesNotEmptyException: Decoding <GenericExtrinsic> - Current offset: 6 / length: 175

(its decoder reads the 0x45 version byte as an unsigned v4 extrinsic and stops after a
few bytes). This module decodes the envelope itself and lets the library decode what is
inside from the runtime's metadata:

    compact length | version byte | body
    version byte 0x84: v4 signed:  address, signature, the extensions' explicit values, call
    version byte 0x04 or 0x05: bare (inherents, unsigned):  call
    version byte 0x45: v5 general:  extension version (u8), the extensions' explicit values, call

The extensions are those the metadata lists (`extrinsic.signed_extensions`, in order: for
extension version 0, metadata v16's only version here), each decoded with its own type.
"""

from scalecodec.base import ScaleBytes

V4_SIGNED = 0x84
BARE = (0x04, 0x05)
V5_GENERAL = 0x45


def _decode(substrate, type_string, data, metadata):
    obj = substrate.runtime_config.create_scale_object(type_string, data=data, metadata=metadata)
    obj.decode(check_remaining=False)
    return obj


def decode_extrinsic(substrate, metadata, extrinsic_hex):
    """One extrinsic (hex, with its compact length) as a dict:
    `{version, type, extension_version?, extensions?, address?, call}`, where `call` is the
    library's decoded call (`call_module`, `call_function`, `call_args`)."""
    data = ScaleBytes(extrinsic_hex)
    length = _decode(substrate, "Compact<u32>", data, metadata).value
    start = data.offset
    version_byte = data.get_next_bytes(1)[0]
    out = {"version": version_byte & 0x3F, "length": length}
    extensions = metadata.get_signed_extensions()  # identifier -> {'extrinsic': type, ...}
    if version_byte == V5_GENERAL:
        out["type"] = "general"
        out["extension_version"] = data.get_next_bytes(1)[0]
        if out["extension_version"] != 0:
            raise ValueError(f"extension version {out['extension_version']}: only version 0 is in this runtime's metadata")
    elif version_byte == V4_SIGNED:
        out["type"] = "signed"
        out["address"] = _decode(substrate, "Address", data, metadata).value
        out["signature"] = _decode(substrate, "ExtrinsicSignature", data, metadata).value
    elif version_byte in BARE:
        out["type"] = "bare"
        extensions = {}
    else:
        raise ValueError(f"unknown extrinsic version byte 0x{version_byte:02x}")
    out["extensions"] = {
        name: _decode(substrate, types["extrinsic"], data, metadata).value
        for name, types in extensions.items()
    }
    out["call"] = _decode(substrate, "Call", data, metadata).value
    if data.offset - start != length:
        raise ValueError(f"decoded {data.offset - start} of the extrinsic's {length} bytes")
    return out


def decode_block_extrinsics(substrate, block_hash):
    """Every extrinsic of the block `block_hash`, decoded with the metadata of its runtime."""
    runtime = substrate.init_runtime(block_hash=block_hash)
    block = substrate.rpc_request("chain_getBlock", [block_hash])["result"]["block"]
    return [decode_extrinsic(substrate, runtime.metadata, x) for x in block["extrinsics"]]
