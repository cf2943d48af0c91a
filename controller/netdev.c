/* netdev.c: placeholder, being written. */
