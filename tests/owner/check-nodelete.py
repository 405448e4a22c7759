#!/usr/bin/env python3
# check-nodelete.py: the shared library is marked NODELETE in its dynamic section
#
# SPDX-License-Identifier: LGPL-2.1-or-later
# Copyright 2026 The atexit-glib authors
#
# Once loaded, libatexit-glib must stay: its exit handler (atexit()), its pthread_atfork
# handlers, its GTypes and its emission hook on GApplication::shutdown are in use until the
# process ends, even when the plugin that brought it in is unloaded. The linker's
# -z nodelete sets DF_1_NODELETE in DT_FLAGS_1; this reads the ELF file itself, with no
# tool but Python.
#
#   check-nodelete.py LIBRARY

import struct
import sys

PT_DYNAMIC = 2
DT_NULL = 0
DT_FLAGS_1 = 0x6FFFFFFB
DF_1_NODELETE = 0x00000008


def dynamic_entries(data):
    if data[:4] != b'\x7fELF':
        raise ValueError('not an ELF file')
    is64 = data[4] == 2
    endian = '<' if data[5] == 1 else '>'

    if is64:
        phoff, = struct.unpack_from(endian + 'Q', data, 0x20)
        phentsize, phnum = struct.unpack_from(endian + 'HH', data, 0x36)
    else:
        phoff, = struct.unpack_from(endian + 'I', data, 0x1C)
        phentsize, phnum = struct.unpack_from(endian + 'HH', data, 0x2A)

    for i in range(phnum):
        at = phoff + i * phentsize
        p_type, = struct.unpack_from(endian + 'I', data, at)
        if p_type != PT_DYNAMIC:
            continue
        if is64:
            offset, = struct.unpack_from(endian + 'Q', data, at + 8)
            size, = struct.unpack_from(endian + 'Q', data, at + 32)
            entry = endian + 'qQ'
        else:
            offset, = struct.unpack_from(endian + 'I', data, at + 4)
            size, = struct.unpack_from(endian + 'I', data, at + 16)
            entry = endian + 'iI'
        step = struct.calcsize(entry)
        for at in range(offset, offset + size, step):
            tag, value = struct.unpack_from(entry, data, at)
            if tag == DT_NULL:
                return
            yield tag, value
        return
    raise ValueError('no dynamic section')


def main():
    if len(sys.argv) != 2:
        print('usage: check-nodelete.py LIBRARY', file=sys.stderr)
        return 2
    path = sys.argv[1]
    with open(path, 'rb') as f:
        data = f.read()

    flags_1 = [value for tag, value in dynamic_entries(data) if tag == DT_FLAGS_1]
    if not flags_1:
        print(f'{path}: no DT_FLAGS_1 entry: the library is not linked with -z nodelete')
        return 1
    if not flags_1[0] & DF_1_NODELETE:
        print(f'{path}: DT_FLAGS_1 is {flags_1[0]:#x}, without NODELETE ({DF_1_NODELETE:#x})')
        return 1
    print(f'{path}: DT_FLAGS_1 {flags_1[0]:#x} has NODELETE')
    return 0


if __name__ == '__main__':
    sys.exit(main())
