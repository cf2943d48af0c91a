/* test-gn-util: the queue of gn-util keeps its order through pushes, pops,
 * unlinks and moves, and its tail stays right after each of them. */
#include <config.h>

#include "gn-util.h"
#include "test-util.h"

struct item {
    int value;
    struct gn_queue_node node;
};

/* Pops every item of 'q' and returns their values as digits ("123"). */
static const char *
drain(struct gn_queue *q)
{
    static char s[16];
    struct item *it;
    size_t n = 0;

    while ((it = GN_QUEUE_ENTRY(gn_queue_pop(q), struct item, node))) {
        s[n++] = '0' + it->value;
    }
    s[n] = '\0';
    return s;
}

static void
test_queue_is_first_in_first_out(void)
{
    struct item items[3] = { { .value = 1 }, { .value = 2 }, { .value = 3 } };
    struct gn_queue q;

    gn_queue_init(&q);
    CHECK(gn_queue_is_empty(&q));
    CHECK(gn_queue_pop(&q) == NULL);
    for (int i = 0; i < 3; i++) {
        gn_queue_push(&q, &items[i].node);
    }
    CHECK(!gn_queue_is_empty(&q));
    CHECK(GN_QUEUE_ENTRY(q.head, struct item, node) == &items[0]);
    CHECK_STREQ(drain(&q), "123");
    CHECK(gn_queue_is_empty(&q));
    /* Emptied by pops, it takes new nodes at its head again. */
    gn_queue_push(&q, &items[1].node);
    CHECK_STREQ(drain(&q), "2");
}

static void
test_queue_unlink_keeps_the_tail(void)
{
    struct item items[3] = { { .value = 1 }, { .value = 2 }, { .value = 3 } };
    struct gn_queue q;

    gn_queue_init(&q);
    for (int i = 0; i < 3; i++) {
        gn_queue_push(&q, &items[i].node);
    }
    /* The last one, then the first one: what follows is appended after
     * the one left. */
    CHECK(gn_queue_unlink(&q, &items[1].node.next) == &items[2].node);
    CHECK(gn_queue_unlink(&q, &q.head) == &items[0].node);
    gn_queue_push(&q, &items[0].node);
    CHECK_STREQ(drain(&q), "21");
}

static void
test_queue_move_takes_everything(void)
{
    struct item items[3] = { { .value = 1 }, { .value = 2 }, { .value = 3 } };
    struct gn_queue q, taken;

    gn_queue_init(&q);
    gn_queue_move(&taken, &q);
    CHECK(gn_queue_is_empty(&taken));
    gn_queue_push(&taken, &items[0].node);
    CHECK_STREQ(drain(&taken), "1");

    gn_queue_push(&q, &items[0].node);
    gn_queue_push(&q, &items[1].node);
    gn_queue_move(&taken, &q);
    CHECK(gn_queue_is_empty(&q));
    /* Both go on alone: a push to one does not show in the other. */
    gn_queue_push(&q, &items[2].node);
    CHECK_STREQ(drain(&taken), "12");
    CHECK_STREQ(drain(&q), "3");
}

int
main(void)
{
    TEST_RUN("gn-util/queue-is-first-in-first-out",
             test_queue_is_first_in_first_out);
    TEST_RUN("gn-util/queue-unlink-keeps-the-tail",
             test_queue_unlink_keeps_the_tail);
    TEST_RUN("gn-util/queue-move-takes-everything",
             test_queue_move_takes_everything);
    return test_done();
}
