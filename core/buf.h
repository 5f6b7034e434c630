/*
 * buf - growable byte buffer with a hard cap.
 *
 * data is always NUL-terminated (the NUL is not counted in len), so text
 * can be used as a C string; binary data may contain NULs. Every buffer
 * has a cap so that output from a program or a remote host cannot grow
 * memory without limit. The owner calls buf_free (safe on a zeroed buf).
 * Every buffer is wiped before its memory goes back to the allocator,
 * when it grows and when it is freed, so a secret read into any buffer
 * leaves no copy behind; buf_wipe_free is buf_free under a name that
 * tells the reader a secret was there. buf_steal hands the bytes over:
 * the new owner wipes them.
 */
#ifndef RELAYDECK_BUF_H
#define RELAYDECK_BUF_H

#include <stdarg.h>
#include <stddef.h>

#define BUF_DEFAULT_CAP ((size_t)64 << 20)	/* 64 MiB */

struct buf {
	char *data;
	size_t len;
	size_t alloc;
	size_t cap;	/* 0 means BUF_DEFAULT_CAP */
};

#define BUF_INIT { NULL, 0, 0, 0 }

void buf_init(struct buf *b, size_t cap);
void buf_free(struct buf *b);
void buf_wipe_free(struct buf *b);
void buf_reset(struct buf *b);

/* buf_reserve - make room for n more bytes; -1 when over cap or out of memory. */
int buf_reserve(struct buf *b, size_t n);
int buf_append(struct buf *b, const void *p, size_t n);
int buf_puts(struct buf *b, const char *s);
int buf_putc(struct buf *b, char c);
int buf_printf(struct buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
int buf_vprintf(struct buf *b, const char *fmt, va_list ap);

/* buf_steal - hand the (NUL-terminated) data to the caller, who frees it; b is reset. */
char *buf_steal(struct buf *b);

/* buf_set - replace contents. */
int buf_set(struct buf *b, const void *p, size_t n);

/* mem_prefault - fault in the pages of a block of 1 MiB or more that is
 * about to be written, with one call instead of one trap per 4 KiB page
 * (on a 50 MB buffer, 12,000 traps). Nothing for smaller blocks, or
 * where the system cannot. */
void mem_prefault(void *p, size_t n);

#endif
