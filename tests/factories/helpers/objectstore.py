"""Reading what a store holds, whichever backend it is."""
from __future__ import annotations

from portal.objectstore import LocalStore, S3Store, Store


def stored_keys(store: Store, under: str) -> set[str]:
    """Every key below `under` (e.g. "3/"), as the app names them (without an S3 prefix)."""
    if isinstance(store, LocalStore):
        root = store.root / under
        return {str(p.relative_to(store.root)) for p in root.rglob("*") if p.is_file()} \
            if root.exists() else set()
    assert isinstance(store, S3Store)
    prefix = f"{store.prefix}/{under}"
    found = store.client.list_objects_v2(Bucket=store.bucket, Prefix=prefix)
    return {item["Key"][len(store.prefix) + 1:] for item in found.get("Contents", [])}
