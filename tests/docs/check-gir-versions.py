#!/usr/bin/env python3
# Every public symbol says since which version it is there: each node of the GIR that a
# binding sees (classes, interfaces, records, enums, functions, methods, constants,
# callbacks, properties, signals, virtual methods) carries a version attribute, which
# comes from its doc comment's `Since:` line.
#
# Usage: check-gir-versions.py Atexit-1.0.gir
#
# SPDX-License-Identifier: LGPL-2.1-or-later
# Copyright 2026 The atexit-glib authors

import sys
import xml.etree.ElementTree as ET

CORE = '{http://www.gtk.org/introspection/core/1.0}'
GLIB = '{http://www.gtk.org/introspection/glib/1.0}'
KINDS = {'class', 'interface', 'record', 'enumeration', 'bitfield', 'function', 'method',
         'constructor', 'constant', 'callback', 'property', 'virtual-method'}


def main():
    root = ET.parse(sys.argv[1]).getroot()
    missing = []
    for parent in root.iter():
        for node in parent:
            tag = node.tag.replace(CORE, '').replace(GLIB, 'glib:')
            kind = tag.replace('glib:', '')
            if kind not in KINDS and tag != 'glib:signal':
                continue
            # The class and interface structs, and the callbacks that are the type of
            # an interface's fields, have no doc comment of their own.
            if node.get(GLIB + 'is-gtype-struct-for') is not None:
                continue
            if kind == 'callback' and parent.tag == CORE + 'field':
                continue
            if node.get('introspectable') == '0':
                continue
            if node.get('version') is None:
                missing.append(f'{tag} {node.get("name")}')
    print('1..1')
    if missing:
        print('not ok 1 - every public symbol has Since:')
        for name in missing:
            print(f'#   no version: {name}')
        return 1
    print('ok 1 - every public symbol has Since:')
    return 0


if __name__ == '__main__':
    sys.exit(main())
