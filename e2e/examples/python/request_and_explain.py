"""A dApp's core flow in Python, with async-substrate-interface (see requirements.txt):
read a dataset and a model's active version, request an inference, wait for the result,
explain it, and decode the block that holds the operators' submissions.

    python request_and_explain.py [ws-url] [--model 0] [--dataset 0]
                                  [--input 5.1,3.5,1.4,0.2] [--signer Dave]

Prints what it does, then one line of JSON with what it found (e2e/tests/
client-python.test.js checks it). Install with scripts/setup.sh, or
`pip install --only-binary=:all: -r requirements.txt` in a virtualenv.

Reading at the right block: async-substrate-interface reads at the *best* block when no
`block_hash` is given (the node's default), and PAPI at the *finalized* block. A result
seen in a best block is final there but not yet in the finalized block (the dev node
finalizes a block about a block time after importing it; a live chain a few blocks
later), so: read at the block that holds ResultFinalized, or wait until that block is
finalized (`get_chain_finalised_head`) and read at finalized. This script does both and
shows the difference.
"""

import argparse
import json
import sys
import time
from decimal import ROUND_HALF_EVEN, Decimal

from async_substrate_interface.sync_substrate import SubstrateInterface

from dev_keypair import DevKeypair
from extrinsic_v5 import decode_block_extrinsics


def to_fixed_point(x: float, scale: int) -> int:
    """round_half_even(x * 10^scale) on the exact binary value of x, as the engine rounds."""
    return int((Decimal(x) * (Decimal(10) ** scale)).to_integral_value(rounding=ROUND_HALF_EVEN))


def status_of(explained) -> str:
    """`explain(id).request.status`: a string such as 'Pending' or 'Finalized'."""
    status = explained["request"]["status"]
    return status if isinstance(status, str) else next(iter(status))


def block_number(substrate, block_hash) -> int:
    return substrate.get_block_number(block_hash)


def find_event(substrate, block_hash, pallet, name, matches=lambda attributes: True):
    """The attributes of the first event `pallet.name` of the block for which `matches` holds."""
    for record in substrate.get_events(block_hash):
        event = record["event"]
        if event["module_id"] == pallet and event["event_id"] == name and matches(event["attributes"]):
            return event["attributes"]
    return None


def wait_for_event(substrate, from_number, pallet, name, matches, timeout_s=60):
    """Follows the best chain from block `from_number` on, block by block, until an event
    `pallet.name` for which `matches(attributes)` holds: returns (number, hash, attributes)."""
    deadline = time.monotonic() + timeout_s
    number = from_number
    while time.monotonic() < deadline:
        head = block_number(substrate, substrate.get_chain_head())
        while number <= head:
            block_hash = substrate.get_block_hash(number)
            found = find_event(substrate, block_hash, pallet, name, matches)
            if found is not None:
                return number, block_hash, found
            number += 1
        time.sleep(0.1)
    raise TimeoutError(f"no {pallet}.{name} within {timeout_s} s")


def wait_for_finality(substrate, number, timeout_s=60):
    """Waits until block `number` is finalized; returns the finalized head's hash."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        finalized = substrate.get_chain_finalised_head()
        if block_number(substrate, finalized) >= number:
            return finalized
        time.sleep(0.1)
    raise TimeoutError(f"block #{number} not finalized within {timeout_s} s")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("url", nargs="?", default="ws://127.0.0.1:9944")
    parser.add_argument("--model", type=int, default=0)
    parser.add_argument("--dataset", type=int, default=0)
    parser.add_argument("--input", default="5.1,3.5,1.4,0.2")
    parser.add_argument("--signer", default="Dave")
    args = parser.parse_args()

    substrate = SubstrateInterface(args.url, ss58_format=42)
    try:
        print(json.dumps(flow(substrate, args), default=str))
    finally:
        substrate.close()  # its connection thread would keep the process alive


def flow(substrate, args):
    result = {"client": "async-substrate-interface"}

    # 1. A dataset and the model's active version: runtime APIs, typed from metadata v15.
    dataset = substrate.runtime_call("DatasetProvenanceApi", "dataset", [args.dataset])
    if dataset is None:
        sys.exit(f"dataset {args.dataset} does not exist")
    print(f"dataset {dataset['id']}: {dataset['uri']}, licence {dataset['licence']}, hash {dataset['content_hash']}")
    version = substrate.runtime_call("ModelRegistryApi", "active_version", [args.model])
    if version is None:
        sys.exit(f"model {args.model} has no active version")
    print(f"model {args.model} version {version['version']}: ONNX {version['model_hash']}, "
          f"input scale {version['input_scale']}, output scale {version['output_scale']}")
    result["dataset"] = {k: dataset[k] for k in ("id", "content_hash", "uri", "licence", "owner")}
    result["version"] = {k: version[k] for k in ("version", "model_hash", "input_scale", "output_scale", "status", "aggregation")}

    # 2. Request an inference, signed (extrinsic v4, as the library builds them).
    signer = DevKeypair.dev(args.signer)
    input_fixed = [to_fixed_point(float(x), version["input_scale"]) for x in args.input.split(",")]
    max_fee = substrate.get_constant("InferenceOracle", "RequestFee").value
    call = substrate.compose_call("InferenceOracle", "request_inference", {
        "model": args.model, "input": input_fixed, "max_fee": max_fee,
    })
    extrinsic = substrate.create_signed_extrinsic(call=call, keypair=signer)
    receipt = substrate.submit_extrinsic(extrinsic, wait_for_inclusion=True)
    # The receipt's own event and success helpers decode the whole block, which fails on a
    # block holding operators' v5 transactions (above): read the block's events instead.
    request_block = receipt.block_hash
    requested = find_event(substrate, request_block, "InferenceOracle", "InferenceRequested",
                           lambda a: a["requester"] == signer.ss58_address)
    if requested is None:
        failed = find_event(substrate, request_block, "System", "ExtrinsicFailed")
        sys.exit(f"the request failed: {failed}")
    request_id = requested["request"]
    request_number = block_number(substrate, request_block)
    print(f"request {request_id} in block #{request_number}: version {requested['version']}, "
          f"committee {len(requested['committee'])}, deadline #{requested['deadline']}")
    result["request"] = {
        "id": request_id, "block": request_number, "requester": requested["requester"],
        "input": input_fixed, "version": requested["version"], "fee": requested["fee"],
        "committee": requested["committee"],
    }

    # 3. Wait for ResultFinalized on the best chain.
    number, block_hash, finalized_event = wait_for_event(
        substrate, request_number, "InferenceOracle", "ResultFinalized", lambda a: a["request"] == request_id,
    )
    print(f"ResultFinalized in best block #{number}: output {finalized_event['output']}")
    result["resultFinalized"] = {"block": number, "hash": block_hash, **finalized_event}

    # 4. The trap, then the two right ways to read the result.
    finalized_head = substrate.get_chain_finalised_head()
    finalized_number = block_number(substrate, finalized_head)
    at_finalized = substrate.runtime_call("InferenceOracleApi", "explain", [request_id], block_hash=finalized_head)
    parent = substrate.get_block_header(block_hash)["header"]["parentHash"]
    at_parent = substrate.runtime_call("InferenceOracleApi", "explain", [request_id], block_hash=parent)
    at_block = substrate.runtime_call("InferenceOracleApi", "explain", [request_id], block_hash=block_hash)
    at_best = substrate.runtime_call("InferenceOracleApi", "explain", [request_id])  # no hash: best
    print(f"explain at finalized #{finalized_number}: {status_of(at_finalized)}; at #{number - 1}: "
          f"{status_of(at_parent)}; at #{number}: {status_of(at_block)}; at best: {status_of(at_best)}")
    final_head = wait_for_finality(substrate, number)
    explained = substrate.runtime_call("InferenceOracleApi", "explain", [request_id], block_hash=final_head)
    print(f"block #{number} finalized: explain at finalized: {status_of(explained)}")
    result["explainStatus"] = {
        "finalizedRightAfter": {"block": finalized_number, "status": status_of(at_finalized)},
        "parentOfResultBlock": status_of(at_parent),
        "resultBlock": status_of(at_block),
        "best": status_of(at_best),
        "finalizedAfterWaiting": status_of(explained),
    }
    provenance = explained["provenance"]
    result["explain"] = {
        "status": status_of(explained),
        "output": explained["result"]["output"],
        "finalizedAt": explained["result"]["finalized_at"],
        "agreeing": explained["result"]["agreeing"],
        "submissions": [
            {"operator": s["operator"], "at": s["at"], "outcome": s["outcome"]} for s in explained["submissions"]
        ],
        "modelHash": provenance["version"]["model_hash"],
        "trainingDatasets": [
            {"id": t["dataset"]["id"], "contentHash": t["dataset"]["content_hash"], "licence": t["dataset"]["licence"]}
            for t in provenance["training_datasets"]
        ],
        "taintedDatasets": explained["tainted_datasets"],
    }
    for s in explained["submissions"]:
        print(f"  submission by {s['operator']} in block #{s['at']}: {s['outcome']}")

    # 5. The block with the operators' reveals: the library's decoder fails on it ...
    try:
        substrate.get_block(block_hash=block_hash)
        result["getBlock"] = {"ok": True}
    except Exception as e:  # noqa: BLE001: the failure is what is reported
        result["getBlock"] = {"ok": False, "error": type(e).__name__, "message": str(e)}
        print(f"get_block({block_hash}) fails: {type(e).__name__}: {e}")
    # ... extrinsic_v5 decodes it with the library's codec and the metadata.
    operators = {op["key"]: op["account"] for op in substrate.runtime_call("InferenceOracleApi", "operators", [], block_hash=block_hash)}
    decoded = []
    for index, x in enumerate(decode_block_extrinsics(substrate, block_hash)):
        call = x["call"]
        entry = {
            "index": index, "version": x["version"], "type": x["type"],
            "extensionVersion": x.get("extension_version"),
            "pallet": call["call_module"], "call": call["call_function"],
        }
        if x["type"] != "bare":
            entry["extensions"] = x["extensions"]
        if (call["call_module"], call["call_function"]) == ("InferenceOracle", "submit_results"):
            args_ = {a["name"]: a["value"] for a in call["call_args"]}
            batch = args_["batch"]
            entry["key"] = batch["key"]
            entry["operator"] = operators.get(batch["key"])
            entry["signature"] = args_["signature"]
            entry["items"] = batch["items"]
            print(f"  extrinsic {index}: v{x['version']} {x['type']}, submit_results by {entry['operator']}: "
                  f"{json.dumps(batch['items'])}")
        decoded.append(entry)
    result["resultBlockExtrinsics"] = decoded
    # The request's own block holds Dave's signed (v4) request; the same decoder reads it.
    result["requestBlockSigned"] = [
        {
            "index": index, "version": x["version"], "address": x["address"], "extensions": x["extensions"],
            "pallet": x["call"]["call_module"], "call": x["call"]["call_function"],
            "args": {a["name"]: a["value"] for a in x["call"]["call_args"]},
        }
        for index, x in enumerate(decode_block_extrinsics(substrate, request_block)) if x["type"] == "signed"
    ]
    return result


if __name__ == "__main__":
    main()
