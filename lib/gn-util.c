/* gn-util.c: allocation, error and time helpers and small containers (see
 * include/gn-util.h). */
#include <config.h>

#include "gn-util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#ifdef __GLIBC__
#include <malloc.h>
#endif

static const char *program_name = "guestnet";

static void
gn_out_of_memory__(void)
{
    fputs("guestnet: out of memory\n", stderr);
    abort();
}

void *
gn_xmalloc(size_t size)
{
    void *p = malloc(size ? size : 1);
    if (!p) {
        gn_out_of_memory__();
    }
    return p;
}

void *
gn_xzalloc(size_t size)
{
    return gn_xcalloc(1, size);
}

void *
gn_xcalloc(size_t n, size_t size)
{
    void *p = calloc(n ? n : 1, size ? size : 1);
    if (!p) {
        gn_out_of_memory__();
    }
    return p;
}

void *
gn_xrealloc(void *p, size_t size)
{
    p = realloc(p, size ? size : 1);
    if (!p) {
        gn_out_of_memory__();
    }
    return p;
}

char *
gn_xmemdup0(const char *s, size_t len)
{
    char *p = gn_xmalloc(len + 1);
    memcpy(p, s, len);
    p[len] = '\0';
    return p;
}

char *
gn_xstrdup(const char *s)
{
    return gn_xmemdup0(s, strlen(s));
}

char *
gn_xvasprintf(const char *fmt, va_list args)
{
    va_list args2;
    int needed;
    char *s;

    va_copy(args2, args);
    needed = vsnprintf(NULL, 0, fmt, args);
    s = gn_xmalloc(needed + 1);
    vsnprintf(s, needed + 1, fmt, args2);
    va_end(args2);
    return s;
}

char *
gn_xasprintf(const char *fmt, ...)
{
    va_list args;
    char *s;

    va_start(args, fmt);
    s = gn_xvasprintf(fmt, args);
    va_end(args);
    return s;
}

void
gn_set_program_name(const char *argv0)
{
    const char *slash = strrchr(argv0, '/');
    program_name = slash ? slash + 1 : argv0;
}

const char *
gn_program_name(void)
{
    return program_name;
}

void
gn_fatal(const char *fmt, ...)
{
    va_list args;

    fprintf(stderr, "%s: ", program_name);
    va_start(args, fmt);
    vfprintf(stderr, fmt, args);
    va_end(args);
    fputc('\n', stderr);
    exit(1);
}

/* Clock 'id' in microseconds. */
static long long
gn_clock_usec__(clockid_t id)
{
    struct timespec ts;

    clock_gettime(id, &ts);
    return (long long) ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

long long
gn_time_msec(void)
{
    return gn_clock_usec__(CLOCK_MONOTONIC) / 1000;
}

long long
gn_time_usec(void)
{
    return gn_clock_usec__(CLOCK_MONOTONIC);
}

long long
gn_thread_cpu_usec(void)
{
    return gn_clock_usec__(CLOCK_THREAD_CPUTIME_ID);
}

long long
gn_time_wall_msec(void)
{
    return gn_clock_usec__(CLOCK_REALTIME) / 1000;
}

/* Makes room for 'n' more bytes and the null in 'b'. */
static void
gn_buf_reserve__(struct gn_buf *b, size_t n)
{
    if (b->len + n + 1 > b->allocated) {
        b->allocated = 2 * b->allocated + n + 64;
        b->data = gn_xrealloc(b->data, b->allocated);
    }
}

void
gn_buf_printf(struct gn_buf *b, const char *fmt, ...)
{
    va_list args, args2;
    int needed;

    va_start(args, fmt);
    va_copy(args2, args);
    needed = vsnprintf(NULL, 0, fmt, args);
    va_end(args);
    gn_buf_reserve__(b, needed);
    vsnprintf(b->data + b->len, needed + 1, fmt, args2);
    va_end(args2);
    b->len += needed;
}

void
gn_buf_put(struct gn_buf *b, const void *data, size_t len)
{
    gn_buf_reserve__(b, len);
    memcpy(b->data + b->len, data, len);
    b->len += len;
    b->data[b->len] = '\0';
}

const char *
gn_buf_cstr(const struct gn_buf *b)
{
    return b->data ? b->data : "";
}

void
gn_buf_clear(struct gn_buf *b)
{
    b->len = 0;
    if (b->data) {
        b->data[0] = '\0';
    }
}

void
gn_buf_destroy(struct gn_buf *b)
{
    free(b->data);
    *b = (struct gn_buf) GN_BUF_INIT;
}

static unsigned int
gn_strmap_hash__(const char *key)
{
    unsigned int h = 2166136261u;       /* FNV-1a. */

    for (const unsigned char *p = (const unsigned char *) key; *p; p++) {
        h = (h ^ *p) * 16777619u;
    }
    return h;
}

static struct gn_strmap_node **
gn_strmap_find__(const struct gn_strmap *m, const char *key,
                 unsigned int hash)
{
    struct gn_strmap_node **p;

    if (!m->n_buckets) {
        return NULL;
    }
    for (p = &m->buckets[hash & (m->n_buckets - 1)]; *p; p = &(*p)->next) {
        if ((*p)->hash == hash && !strcmp((*p)->key, key)) {
            return p;
        }
    }
    return NULL;
}

void *
gn_strmap_get(const struct gn_strmap *m, const char *key)
{
    struct gn_strmap_node **p = gn_strmap_find__(m, key,
                                                 gn_strmap_hash__(key));
    return p ? (*p)->value : NULL;
}

void *
gn_strmap_put(struct gn_strmap *m, const char *key, void *value)
{
    unsigned int hash = gn_strmap_hash__(key);
    struct gn_strmap_node **p = gn_strmap_find__(m, key, hash);
    struct gn_strmap_node *node;

    if (p) {
        void *old = (*p)->value;
        (*p)->value = value;
        return old;
    }
    if (m->n >= m->n_buckets) {
        size_t n = m->n_buckets ? 2 * m->n_buckets : 16;
        struct gn_strmap_node **b = gn_xcalloc(n, sizeof *b);

        for (size_t i = 0; i < m->n_buckets; i++) {
            struct gn_strmap_node *x, *next;

            for (x = m->buckets[i]; x; x = next) {
                next = x->next;
                x->next = b[x->hash & (n - 1)];
                b[x->hash & (n - 1)] = x;
            }
        }
        free(m->buckets);
        m->buckets = b;
        m->n_buckets = n;
    }
    node = gn_xmalloc(sizeof *node);
    node->hash = hash;
    node->key = gn_xstrdup(key);
    node->value = value;
    node->next = m->buckets[hash & (m->n_buckets - 1)];
    m->buckets[hash & (m->n_buckets - 1)] = node;
    m->n++;
    return NULL;
}

void *
gn_strmap_remove(struct gn_strmap *m, const char *key)
{
    struct gn_strmap_node **p = gn_strmap_find__(m, key,
                                                 gn_strmap_hash__(key));
    struct gn_strmap_node *node;
    void *value;

    if (!p) {
        return NULL;
    }
    node = *p;
    *p = node->next;
    value = node->value;
    free(node->key);
    free(node);
    m->n--;
    return value;
}

void
gn_strmap_destroy(struct gn_strmap *m)
{
    for (size_t i = 0; i < m->n_buckets; i++) {
        struct gn_strmap_node *x, *next;

        for (x = m->buckets[i]; x; x = next) {
            next = x->next;
            free(x->key);
            free(x);
        }
    }
    free(m->buckets);
    *m = (struct gn_strmap) GN_STRMAP_INIT;
}

void
gn_queue_init(struct gn_queue *q)
{
    q->head = NULL;
    q->tail = &q->head;
}

bool
gn_queue_is_empty(const struct gn_queue *q)
{
    return !q->head;
}

void
gn_queue_push(struct gn_queue *q, struct gn_queue_node *node)
{
    node->next = NULL;
    *q->tail = node;
    q->tail = &node->next;
}

struct gn_queue_node *
gn_queue_pop(struct gn_queue *q)
{
    return q->head ? gn_queue_unlink(q, &q->head) : NULL;
}

struct gn_queue_node *
gn_queue_unlink(struct gn_queue *q, struct gn_queue_node **nodep)
{
    struct gn_queue_node *node = *nodep;

    *nodep = node->next;
    if (!*nodep) {
        q->tail = nodep;
    }
    return node;
}

void
gn_queue_move(struct gn_queue *dst, struct gn_queue *src)
{
    *dst = *src;
    if (!dst->head) {
        dst->tail = &dst->head;
    }
    gn_queue_init(src);
}

void
gn_heap_one_arena(void)
{
#ifdef __GLIBC__
    mallopt(M_ARENA_MAX, 1);
#endif
}

void
gn_heap_trim(void)
{
#ifdef __GLIBC__
    malloc_trim(0);
#endif
}
