/* gn-util.h: memory, error and time helpers and small containers (a growable
 * string, a string map, a queue) shared by every guestnet module.
 *
 * Allocation failure aborts the process (as OVS's xmalloc() does): guestnet
 * keeps its memory bounded, so running out means the host is in trouble and
 * a clean restart from OVSDB state is the safe answer.  The names carry a
 * gn_ prefix because libopenvswitch, linked into the same binaries, exports
 * xmalloc() and friends.
 *
 * Thread-safety: all functions are safe to call from any thread. */
#ifndef GN_UTIL_H
#define GN_UTIL_H 1

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>

#define GN_ARRAY_SIZE(A) (sizeof (A) / sizeof (A)[0])
#define GN_PRINTF(FMT, ARG1) __attribute__((format(printf, FMT, ARG1)))
#define GN_WARN_UNUSED __attribute__((warn_unused_result))
#define GN_NORETURN __attribute__((noreturn))

/* Allocators: never return NULL.  Caller frees with free(). */
void *gn_xmalloc(size_t size);
void *gn_xzalloc(size_t size);
void *gn_xcalloc(size_t n, size_t size);
void *gn_xrealloc(void *p, size_t size);
char *gn_xstrdup(const char *s);
char *gn_xmemdup0(const char *s, size_t len);
char *gn_xasprintf(const char *fmt, ...) GN_PRINTF(1, 2);
char *gn_xvasprintf(const char *fmt, va_list args) GN_PRINTF(1, 0);

/* Gives back to the system the free memory of the heap, at its top and in
 * whole free pages within it (glibc's malloc_trim()); elsewhere does
 * nothing.  For after a big piece of work has freed much at once (a
 * transient tree of megabytes that other allocations pin below them), not
 * for every call: it walks the heap's free chunks. */
void gn_heap_trim(void);

/* Makes every thread allocate from the main heap (glibc's M_ARENA_MAX 1);
 * elsewhere does nothing.  Call before the first thread starts.  A thread
 * that hands what it allocates to another (the device worker its results)
 * would otherwise keep an arena of its own whose free pages the main heap
 * cannot reuse: at 1000 ports the device worker's arena held 2.4 MB of
 * RSS and the RSS after a restart was 27.6 MB, 27.0 MB with one arena.
 * Overrides $MALLOC_ARENA_MAX and the glibc.malloc.arena_max tunable. */
void gn_heap_one_arena(void);

/* A growable string.  Initialize with GN_BUF_INIT; 'data' is NULL or
 * null-terminated; free with gn_buf_destroy(). */
struct gn_buf {
    char *data;
    size_t len;                 /* Not counting the null. */
    size_t allocated;
};
#define GN_BUF_INIT { NULL, 0, 0 }

void gn_buf_printf(struct gn_buf *, const char *fmt, ...) GN_PRINTF(2, 3);
void gn_buf_put(struct gn_buf *, const void *data, size_t len);
const char *gn_buf_cstr(const struct gn_buf *);     /* "" if empty. */
void gn_buf_clear(struct gn_buf *);
void gn_buf_destroy(struct gn_buf *);

/* A map from strings (copied) to pointers (the caller's).  Initialize with
 * GN_STRMAP_INIT; free with gn_strmap_destroy() (the values are the
 * caller's to free first, e.g. with GN_STRMAP_FOR_EACH). */
struct gn_strmap_node {
    struct gn_strmap_node *next;
    unsigned int hash;
    char *key;
    void *value;
};
struct gn_strmap {
    struct gn_strmap_node **buckets;
    size_t n_buckets;           /* 0 or a power of 2. */
    size_t n;
};
#define GN_STRMAP_INIT { NULL, 0, 0 }

void *gn_strmap_get(const struct gn_strmap *, const char *key);
/* Sets 'key' to 'value'; returns the value it replaced, or NULL. */
void *gn_strmap_put(struct gn_strmap *, const char *key, void *value);
/* Removes 'key'; returns its value, or NULL. */
void *gn_strmap_remove(struct gn_strmap *, const char *key);
void gn_strmap_destroy(struct gn_strmap *);
/* Visits every node; the loop body may not change the map. */
#define GN_STRMAP_FOR_EACH(NODE, MAP)                                     \
    for (size_t gn_i__ = 0; gn_i__ < (MAP)->n_buckets; gn_i__++)          \
        for ((NODE) = (MAP)->buckets[gn_i__]; (NODE); (NODE) = (NODE)->next)
/* Likewise, but the body may remove NODE (gn_strmap_remove() of
 * NODE->key; removal never rehashes), nothing else. */
#define GN_STRMAP_FOR_EACH_SAFE(NODE, NEXT, MAP)                          \
    for (size_t gn_i__ = 0; gn_i__ < (MAP)->n_buckets; gn_i__++)          \
        for ((NODE) = (MAP)->buckets[gn_i__];                             \
             (NODE) && ((NEXT) = (NODE)->next, 1); (NODE) = (NEXT))

/* A first-in first-out queue of nodes that the caller embeds in its own
 * structs (a singly linked list with a tail pointer).  Initialize with
 * gn_queue_init(); the nodes stay the caller's.  GN_QUEUE_ENTRY() turns a
 * node (or NULL) back into the struct that holds it (or NULL). */
struct gn_queue_node {
    struct gn_queue_node *next;
};
struct gn_queue {
    struct gn_queue_node *head;     /* NULL if empty. */
    struct gn_queue_node **tail;    /* &head, or the last node's 'next'. */
};
#define GN_QUEUE_ENTRY(NODE, STRUCT, MEMBER) \
    ((STRUCT *) gn_queue_entry__(NODE, offsetof(STRUCT, MEMBER)))
static inline void *
gn_queue_entry__(struct gn_queue_node *node, size_t offset)
{
    return node ? (char *) node - offset : NULL;
}

void gn_queue_init(struct gn_queue *);
bool gn_queue_is_empty(const struct gn_queue *);
/* Appends 'node' to 'q'. */
void gn_queue_push(struct gn_queue *q, struct gn_queue_node *node);
/* Removes and returns the first node of 'q', or NULL if 'q' is empty. */
struct gn_queue_node *gn_queue_pop(struct gn_queue *q);
/* Removes and returns the node '*nodep' of 'q', where 'nodep' is &q->head
 * or the 'next' of one of its nodes (as a walk from q->head finds it). */
struct gn_queue_node *gn_queue_unlink(struct gn_queue *q,
                                      struct gn_queue_node **nodep);
/* Moves every node of 'src' to 'dst' (whose own nodes it forgets), in
 * order, and leaves 'src' empty. */
void gn_queue_move(struct gn_queue *dst, struct gn_queue *src);

/* Prints "PROGRAM: MESSAGE" on stderr and exits with status 1. */
void gn_fatal(const char *fmt, ...) GN_PRINTF(1, 2) GN_NORETURN;

/* Sets the program name used by gn_fatal() and usage messages. */
void gn_set_program_name(const char *argv0);
const char *gn_program_name(void);

/* Monotonic time in milliseconds, and in microseconds. */
long long gn_time_msec(void);
long long gn_time_usec(void);
/* CPU time the calling thread has used, in microseconds: next to
 * gn_time_usec(), it tells a slow step from one that waited for a CPU. */
long long gn_thread_cpu_usec(void);

/* Wall-clock time in milliseconds since the epoch. */
long long gn_time_wall_msec(void);

#endif /* gn-util.h */
