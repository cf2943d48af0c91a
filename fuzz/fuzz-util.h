/* fuzz-util.h: what several fuzz targets start from: a config with three
 * networks (web: VLAN 10, IPv4 and IPv6 subnets, a gateway; db: VLAN 20;
 * p2p: VLAN 30, private) and an empty Open_vSwitch replica. */
#ifndef GN_FUZZ_UTIL_H
#define GN_FUZZ_UTIL_H 1

struct gn_config;
struct ovsdb_replica;

/* The config's JSON text. */
extern const char fuzz_config_json[];

/* Returns the config, parsed once (aborts if it does not parse). */
struct gn_config *fuzz_config(void);

/* Returns an empty replica of the Open_vSwitch database, made once. */
struct ovsdb_replica *fuzz_replica(void);

#endif /* fuzz-util.h */
