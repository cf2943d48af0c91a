/* gn-util.c: allocation, error and time helpers (see include/gn-util.h). */
#include <config.h>

#include "gn-util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

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

static long long
gn_clock_msec__(clockid_t id)
{
    struct timespec ts;

    clock_gettime(id, &ts);
    return (long long) ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

long long
gn_time_msec(void)
{
    return gn_clock_msec__(CLOCK_MONOTONIC);
}

long long
gn_time_wall_msec(void)
{
    return gn_clock_msec__(CLOCK_REALTIME);
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
