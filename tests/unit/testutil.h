/*
 * testutil - file helpers shared by the unit tests (they assert through
 * cmocka, so only test programs link this).
 */
#ifndef RELAYDECK_TESTUTIL_H
#define RELAYDECK_TESTUTIL_H

#include <stddef.h>

#include "buf.h"

/* tu_read_all - append a whole file to b; -1 when it cannot be opened. */
int tu_read_all(const char *path, struct buf *b);

/* tu_write_all - create or replace path with exactly len bytes. */
void tu_write_all(const char *path, const char *data, size_t len);

#endif
