"""Keys that change: rotating data keys and the blind-index key, and retiring old data keys.

``cadre keys rotate`` writes the keyring first (a new data key current, marked ``rotating``),
then rewrites the database in batches (``rotation``), then clears the mark. Killed at any
point, the next run sees the mark and finishes the same rotation; the database says what is
left (a value's key id is in its ciphertext). Every process reloads the keyring when the file
changes, so values under the new key are readable everywhere as soon as they exist, and old
keys stay in the keyring until ``cadre keys retire`` finds nothing that needs them.

``--index-key`` also makes a new blind-index key current while keeping the previous one for
lookups (``lookup.index_matches`` tries both) until every index is rebuilt; then the previous
index key is dropped.
"""
