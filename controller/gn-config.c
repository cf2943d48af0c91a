/* gn-config.c: placeholder, being written. */
