"""Puts the functions of a partial benchmark run into a pallet's weights.rs.

usage: splice_weights.py NEW_WEIGHTS_RS TARGET_WEIGHTS_RS COMMAND

NEW_WEIGHTS_RS is what `benchmark pallet --extrinsic a,b` wrote with the project's
template: each of its functions (with the storage comments above it) replaces the
function of the same name in TARGET_WEIGHTS_RS, in the `SubstrateWeight` impl and in the
`()` impl, and a line at the top of TARGET says which functions came from which run
(COMMAND). A function TARGET does not have yet is an error: add it to the trait first.
"""
import datetime
import re
import sys


def blocks(text, name):
    """The (start, end) of each block of `fn name` with its comment lines, in order."""
    pattern = re.compile(r"((?:\t//[^\n]*\n)*)\tfn " + re.escape(name) + r"\([^)]*\) -> Weight \{.*?\n\t\}\n", re.S)
    return [m.span() for m in pattern.finditer(text)]


def main():
    new_path, target_path, command = sys.argv[1:4]
    new, target = open(new_path).read(), open(target_path).read()
    names = sorted(set(re.findall(r"\tfn (\w+)\(", new.split("pub trait WeightInfo")[1].split("}")[0])))
    for name in names:
        fresh, old = blocks(new, name), blocks(target, name)
        if len(fresh) != 2 or len(old) != 2:
            sys.exit(f"{name}: {len(fresh)} blocks in the new file, {len(old)} in {target_path}; expected 2 each")
        # Replace from the end so that earlier spans stay valid.
        for (fs, fe), (ts, te) in reversed(list(zip(fresh, old))):
            target = target[:ts] + new[fs:fe] + target[te:]
    date = datetime.date.today().isoformat()
    note = f"// Re-measured on {date}, alone, by `{command}`: {', '.join(names)}.\n"
    target = note + target
    open(target_path, "w").write(target)
    print(f"{target_path}: {len(names)} functions re-measured: {', '.join(names)}", file=sys.stderr)


if __name__ == "__main__":
    main()
