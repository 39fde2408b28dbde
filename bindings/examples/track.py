#!/usr/bin/env python3
"""track.py: embed ordo in Python through ctypes, as track.c does in C.

Opens a store, creates a product, a customer and an order with ordo-api requests, then
tracks the order by its reference and prints it.

    cargo build -p ordo-ffi
    ORDO_LIB=target/debug/libordo_ffi.so python3 bindings/examples/track.py            # memory
    ORDO_LIB=target/debug/libordo_ffi.so python3 bindings/examples/track.py ordo-data  # sled
"""

import ctypes
import json
import os
import sys


class OrdoError(Exception):
    """A request ordo refused: status and the response's error object."""

    def __init__(self, status, error):
        super().__init__(f"status {status}: {error.get('code')}: {error.get('message')}")
        self.status = status
        self.error = error


class Ordo:
    """An ordo engine in this process (one handle may serve several threads)."""

    def __init__(self, library, data_dir=None, **options):
        lib = ctypes.CDLL(library)
        lib.ordo_version.restype = ctypes.c_char_p
        lib.ordo_api_version.restype = ctypes.c_uint32
        lib.ordo_engine_open.argtypes = [ctypes.c_char_p, ctypes.c_char_p]
        lib.ordo_engine_open.restype = ctypes.c_void_p
        lib.ordo_engine_close.argtypes = [ctypes.c_void_p]
        lib.ordo_engine_close.restype = None
        # The response is a library-owned char *: kept as a raw pointer (not c_char_p, which
        # would copy it and lose the pointer) so it can go back to ordo_string_free.
        lib.ordo_execute.argtypes = [
            ctypes.c_void_p,
            ctypes.c_char_p,
            ctypes.POINTER(ctypes.c_void_p),
        ]
        lib.ordo_execute.restype = ctypes.c_int32
        lib.ordo_last_error.restype = ctypes.c_char_p
        lib.ordo_string_free.argtypes = [ctypes.c_void_p]
        lib.ordo_string_free.restype = None
        self._lib = lib
        encoded_dir = data_dir.encode() if data_dir is not None else None
        encoded_options = json.dumps(options).encode() if options else None
        self._engine = lib.ordo_engine_open(encoded_dir, encoded_options)
        if not self._engine:
            raise OSError(f"cannot open the store: {lib.ordo_last_error().decode()}")

    def version(self):
        return self._lib.ordo_version().decode(), self._lib.ordo_api_version()

    def execute(self, op, args=None, **fields):
        """Runs one request; returns the "ok" value or raises OrdoError."""
        request = {"op": op, "args": args if args is not None else {}, **fields}
        response = ctypes.c_void_p()
        status = self._lib.ordo_execute(
            self._engine, json.dumps(request).encode(), ctypes.byref(response)
        )
        try:
            answer = json.loads(ctypes.string_at(response.value).decode())
        finally:
            self._lib.ordo_string_free(response)
        if status != 0:
            raise OrdoError(status, answer["error"])
        return answer["ok"]

    def close(self):
        if self._engine:
            self._lib.ordo_engine_close(self._engine)
            self._engine = None

    def __enter__(self):
        return self

    def __exit__(self, *_):
        self.close()


MUG = {
    "sku": "MUG-BLUE",
    "name": "Blue mug",
    "description": "Stoneware, 350 ml.",
    "specifications": [],
    "media": [],
    "active": True,
    "tax_category": "standard",
    "base_price": {"amount": "12.50", "currency": "USD"},
    "price_lists": [],
    "backorder": "deny",
}

ADA = {
    "name": "Ada Lovelace",
    "business": None,
    "phone": "+14155550123",
    "email": "ada@example.com",
    "addresses": [
        {
            "recipient": "Ada Lovelace",
            "line1": "12 St James's Square",
            "line2": "",
            "city": "London",
            "region": "",
            "postal_code": "SW1Y 4JH",
            "country": "GB",
        }
    ],
}


def main():
    library = os.environ.get("ORDO_LIB", "libordo_ffi.so")
    data_dir = sys.argv[1] if len(sys.argv) > 1 else None
    options = {"actor_name": "track.py"}
    if data_dir is None:
        options["store"] = "memory"
    with Ordo(library, data_dir, **options) as ordo:
        version, api_version = ordo.version()
        print(f"ordo {version}, API version {api_version}")
        # The product and the customer, unless an earlier run on this store made them.
        try:
            ordo.execute("product.create", MUG)
            ordo.execute(
                "product.restock",
                {"sku": "MUG-BLUE", "warehouse": "MAIN", "quantity": 10, "reason": "first delivery"},
            )
        except OrdoError as refused:
            if refused.error["code"] != "duplicate":
                raise
        try:
            customer = ordo.execute("customer.get", {"phone": ADA["phone"]})
        except OrdoError as refused:
            if refused.status != 4:
                raise
            customer = ordo.execute("customer.create", ADA)
        # The idempotency key makes a rerun return the same order instead of a second one.
        created = ordo.execute(
            "order.create",
            {
                "customer": customer["id"],
                "items": [{"sku": "MUG-BLUE", "quantity": 2}],
                "ship_to": None,
                "shipping": "standard",
                "payment": "card",
                "discounts": [],
                "notes": "",
                "draft": False,
                "idempotency_key": "track-py-1",
            },
        )
        # Track it: what a customer would ask for by the reference on their receipt.
        order = ordo.execute("order.get", {"reference": created["reference"]})
        print(
            f"order {order['reference']}: {order['status']}, "
            f"total {order['total']} {order['currency']}"
        )
        try:
            ordo.execute("order.get", {"reference": "ORD-0000-0000"})
        except OrdoError as refused:
            print(f"unknown reference: status {refused.status}, {refused.error['code']}")
        print(json.dumps(order, indent=2, sort_keys=True))


if __name__ == "__main__":
    main()
