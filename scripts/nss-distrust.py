#!/usr/bin/env python3
"""Prints, as JSON, the distrust-after dates NSS' builtin roots module carries for each certificate.

certutil shows trust flags but not the per-root CKA_NSS_EMAIL_DISTRUST_AFTER / CKA_NSS_SERVER_DISTRUST_AFTER
attributes, so scripts/gen-roots.mjs asks the PKCS#11 module itself (libnssckbi.so) through ctypes: no headers,
no compiler, nothing beyond python3 and libnss3.

  python3 scripts/nss-distrust.py /usr/lib/x86_64-linux-gnu/libnssckbi.so
  -> {"<sha256 hex lower>": {"email": "YYMMDDHHMMSSZ" | null, "server": ... | null}, ...}

A value of null means the attribute is absent or CK_FALSE (no distrust date); NSS stores a date as the 13 ASCII
bytes of a UTCTime.
"""
import ctypes
import hashlib
import json
import sys

CK_ULONG = ctypes.c_ulong
CKA_CLASS = 0x0
CKA_VALUE = 0x11
CKO_CERTIFICATE = 0x1
CKA_NSS = 0x80000000 | 0x4E534350
CKA_NSS_SERVER_DISTRUST_AFTER = CKA_NSS + 35
CKA_NSS_EMAIL_DISTRUST_AFTER = CKA_NSS + 36
CK_UNAVAILABLE = CK_ULONG(-1).value


class Attribute(ctypes.Structure):
    _fields_ = [("type", CK_ULONG), ("pValue", ctypes.c_void_p), ("ulValueLen", CK_ULONG)]


# CK_FUNCTION_LIST: a CK_VERSION (two bytes, padded to pointer alignment) then the functions in the order the
# PKCS#11 v2 standard fixes; only the ones used here are named.
FN = {"C_Initialize": 0, "C_Finalize": 1, "C_GetSlotList": 4, "C_OpenSession": 12, "C_CloseSession": 13,
      "C_GetAttributeValue": 24, "C_FindObjectsInit": 26, "C_FindObjects": 27, "C_FindObjectsFinal": 28}


def main(lib_path):
    lib = ctypes.CDLL(lib_path)
    flp = ctypes.c_void_p()
    rv = lib.C_GetFunctionList(ctypes.byref(flp))
    if rv != 0:
        raise SystemExit(f"C_GetFunctionList failed: {rv:#x}")
    table = ctypes.cast(flp.value + ctypes.sizeof(ctypes.c_void_p), ctypes.POINTER(ctypes.c_void_p))
    def call(name, *argtypes_and_args):
        types = [t for t, _ in argtypes_and_args]
        f = ctypes.CFUNCTYPE(CK_ULONG, *types)(table[FN[name]])
        rv = f(*[a for _, a in argtypes_and_args])
        if rv != 0:
            raise SystemExit(f"{name} failed: {rv:#x}")

    call("C_Initialize", (ctypes.c_void_p, None))
    try:
        count = CK_ULONG(0)
        call("C_GetSlotList", (ctypes.c_ubyte, 1), (ctypes.c_void_p, None), (ctypes.POINTER(CK_ULONG), ctypes.byref(count)))
        slots = (CK_ULONG * count.value)()
        call("C_GetSlotList", (ctypes.c_ubyte, 1), (ctypes.c_void_p, ctypes.cast(slots, ctypes.c_void_p)), (ctypes.POINTER(CK_ULONG), ctypes.byref(count)))
        out = {}
        for slot in slots:
            session = CK_ULONG(0)
            CKF_SERIAL_SESSION = 0x4
            call("C_OpenSession", (CK_ULONG, slot), (CK_ULONG, CKF_SERIAL_SESSION), (ctypes.c_void_p, None), (ctypes.c_void_p, None), (ctypes.POINTER(CK_ULONG), ctypes.byref(session)))
            cls = CK_ULONG(CKO_CERTIFICATE)
            template = (Attribute * 1)(Attribute(CKA_CLASS, ctypes.cast(ctypes.byref(cls), ctypes.c_void_p), ctypes.sizeof(cls)))
            call("C_FindObjectsInit", (CK_ULONG, session), (ctypes.c_void_p, ctypes.cast(template, ctypes.c_void_p)), (CK_ULONG, 1))
            handles = []
            while True:
                batch = (CK_ULONG * 64)()
                got = CK_ULONG(0)
                call("C_FindObjects", (CK_ULONG, session), (ctypes.c_void_p, ctypes.cast(batch, ctypes.c_void_p)), (CK_ULONG, 64), (ctypes.POINTER(CK_ULONG), ctypes.byref(got)))
                if got.value == 0:
                    break
                handles.extend(batch[: got.value])
            call("C_FindObjectsFinal", (CK_ULONG, session))
            for h in handles:
                values = {}
                for key, attr in (("der", CKA_VALUE), ("email", CKA_NSS_EMAIL_DISTRUST_AFTER), ("server", CKA_NSS_SERVER_DISTRUST_AFTER)):
                    a = (Attribute * 1)(Attribute(attr, None, 0))
                    f = ctypes.CFUNCTYPE(CK_ULONG, CK_ULONG, CK_ULONG, ctypes.c_void_p, CK_ULONG)(table[FN["C_GetAttributeValue"]])
                    if f(session, h, ctypes.cast(a, ctypes.c_void_p), 1) != 0 or a[0].ulValueLen in (0, CK_UNAVAILABLE):
                        values[key] = None
                        continue
                    buf = ctypes.create_string_buffer(a[0].ulValueLen)
                    a[0].pValue = ctypes.cast(buf, ctypes.c_void_p)
                    if f(session, h, ctypes.cast(a, ctypes.c_void_p), 1) != 0:
                        values[key] = None
                        continue
                    values[key] = buf.raw[: a[0].ulValueLen]
                der = values.pop("der")
                if not der:
                    continue
                dates = {}
                for key, raw in values.items():
                    # CK_FALSE (one zero byte) means "no distrust"; a date is a 13-byte UTCTime.
                    dates[key] = raw.decode("ascii") if raw and len(raw) == 13 else None
                out[hashlib.sha256(der).hexdigest()] = dates
            call("C_CloseSession", (CK_ULONG, session))
        json.dump(out, sys.stdout, indent=1, sort_keys=True)
        sys.stdout.write("\n")
    finally:
        ctypes.CFUNCTYPE(CK_ULONG, ctypes.c_void_p)(table[FN["C_Finalize"]])(None)


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "/usr/lib/x86_64-linux-gnu/libnssckbi.so")
