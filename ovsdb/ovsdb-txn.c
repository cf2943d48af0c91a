/* ovsdb-txn.c: placeholder, being written. */
