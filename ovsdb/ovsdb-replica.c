/* ovsdb-replica.c: placeholder, being written. */
