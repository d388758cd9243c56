#!/usr/bin/python3
# handle.py - name_to_handle_at then open_by_handle_at on a tmpfs file:
# the second is the "shocker" escape; print "name ERR" and "open ERR".
import ctypes, errno, os, sys

libc = ctypes.CDLL(None, use_errno=True)


class Handle(ctypes.Structure):
    _fields_ = [("bytes", ctypes.c_uint), ("type", ctypes.c_int), ("f", ctypes.c_ubyte * 128)]


path = sys.argv[1]
open(path, "w").close()
h = Handle(bytes=128)
mnt = ctypes.c_int()
r = libc.name_to_handle_at(-100, path.encode(), ctypes.byref(h), ctypes.byref(mnt), 0)
print("name", "OK" if r == 0 else errno.errorcode[ctypes.get_errno()])
mfd = os.open(os.path.dirname(path), os.O_RDONLY)
r = libc.open_by_handle_at(mfd, ctypes.byref(h), os.O_RDONLY)
print("open", "OK" if r >= 0 else errno.errorcode[ctypes.get_errno()])
