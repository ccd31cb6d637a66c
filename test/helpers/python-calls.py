"""Prints, as JSON, the calls a Python Pulumi program makes to one module, without running it.

Usage: python3 python-calls.py PROGRAM MODULE

Reads PROGRAM with Python's own parser (ast), finds `import MODULE as ALIAS` (or `import MODULE`), and
prints every call `ALIAS.Name(...)` found anywhere in the program as
{"call": "Name", "args": [...], "kwargs": {...}}, where a nested `ALIAS.XArgs(...)` becomes
{"$call": "XArgs", "kwargs": {...}} and literals are their values. Anything else (a variable, an
expression) is {"$expr": "<source>"}: the program's author must keep the package's arguments literal
for this check. Exit 2 when the module is not imported.
"""
import ast
import json
import sys


def main():
    program, module = sys.argv[1], sys.argv[2]
    with open(program, encoding="utf-8") as handle:
        source = handle.read()
    tree = ast.parse(source, filename=program)
    aliases = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for name in node.names:
                if name.name == module:
                    aliases.add(name.asname or name.name)
    if not aliases:
        print(f"{program} does not import {module}", file=sys.stderr)
        sys.exit(2)

    def callee(node):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and isinstance(node.func.value, ast.Name) and node.func.value.id in aliases:
            return node.func.attr
        return None

    def value(node):
        name = callee(node)
        if name is not None:
            return {"$call": name, "kwargs": {kw.arg: value(kw.value) for kw in node.keywords}}
        if isinstance(node, ast.List) or isinstance(node, ast.Tuple):
            return [value(element) for element in node.elts]
        if isinstance(node, ast.Dict):
            return {ast.literal_eval(key): value(val) for key, val in zip(node.keys, node.values)}
        try:
            return ast.literal_eval(node)
        except ValueError:
            return {"$expr": ast.get_source_segment(source, node)}

    calls = []
    nested = set()
    for node in ast.walk(tree):
        if callee(node) is not None and id(node) not in nested:
            for inner in ast.walk(node):
                if inner is not node and callee(inner) is not None:
                    nested.add(id(inner))
            calls.append({"call": callee(node), "args": [value(arg) for arg in node.args], "kwargs": {kw.arg: value(kw.value) for kw in node.keywords}})
    print(json.dumps([call for call in calls]))


main()
