"""Copies a 64-bit little-endian ELF file with one header field broken, for
the loader's ELF checks.

Usage: elf_edit.py SRC DST EDIT
  class32    EI_CLASS says 32-bit
  machine    e_machine is AArch64's (183)
  relocatable  e_type is ET_REL
  phentsize  e_phentsize is 7
  memsz      the first PT_LOAD segment with file data has p_memsz 0
"""
import struct
import sys

src, dst, edit = sys.argv[1:4]
data = bytearray(open(src, "rb").read())
if edit == "class32":
    data[4] = 1
elif edit == "machine":
    data[18:20] = struct.pack("<H", 183)
elif edit == "relocatable":
    data[16:18] = struct.pack("<H", 1)
elif edit == "phentsize":
    data[54:56] = struct.pack("<H", 7)
elif edit == "memsz":
    phoff, = struct.unpack_from("<Q", data, 32)
    phnum, = struct.unpack_from("<H", data, 56)
    for i in range(phnum):
        at = phoff + 56 * i
        p_type, = struct.unpack_from("<I", data, at)
        p_filesz, = struct.unpack_from("<Q", data, at + 32)
        if p_type == 1 and p_filesz > 0:
            struct.pack_into("<Q", data, at + 40, 0)
            break
else:
    sys.exit("unknown edit " + edit)
open(dst, "wb").write(data)
