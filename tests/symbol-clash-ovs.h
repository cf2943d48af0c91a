/* symbol-clash-ovs.h: the OVS side of tests/test-symbol-clash.c.  Uses
 * libopenvswitch's own JSON, which cannot share a file with <jansson.h>. */
#ifndef GN_SYMBOL_CLASH_OVS_H
#define GN_SYMBOL_CLASH_OVS_H 1

/* Parses 'text' with libopenvswitch's JSON parser; returns the number of
 * members of the resulting object (through OVS's json_object() accessor),
 * or -1 if 'text' is not a JSON object. */
int symbol_clash_ovs_object_size(const char *text);

#endif
