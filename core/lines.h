/*
 * lines - a growable list of text lines, each with a kind and a tag the
 * producer chooses. It is the one shape in which text for people travels
 * from core/ to both front ends: core's reports (report.h) use enum
 * lines_kind and the command line prints the text; the console keeps
 * theme roles in kind and marks the lines that can hold its cursor (pick)
 * with what they stand for (tag).
 *
 * lines_add formats one line; a '\n' in the result starts another line
 * with the same kind, tag and pick, so multi-line text needs no special
 * call. Texts are copied.
 *
 * Ownership: the list owns its texts; lines_free releases them (and is a
 * no-op on a zeroed list), lines_clear keeps the array for reuse.
 * Errors: -1 when out of memory; the line is dropped and nomem set, so a
 * reader can tell the list is incomplete.
 */
#ifndef RELAYDECK_LINES_H
#define RELAYDECK_LINES_H

#include <stdarg.h>
#include <stddef.h>

/* What a line is, for core's reports (the front end picks the colour). */
enum lines_kind { LK_TEXT, LK_HEADER, LK_OK, LK_WARN, LK_ERROR, LK_DIM };

struct line {
	char *text;		/* one line, no '\n' */
	int kind;
	int tag;		/* what the line stands for (the producer's meaning) */
	int pick;		/* 1: the reader may select this line */
};

struct lines {
	struct line *v;
	size_t n, alloc;
	int nomem;
};

#define LINES_INIT { NULL, 0, 0, 0 }

/* lines_add - append the formatted text (one line per '\n'-separated piece). */
int lines_add(struct lines *l, int kind, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* lines_add_pick - the same, as lines the reader may select, standing for tag. */
int lines_add_pick(struct lines *l, int kind, int tag, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
/* lines_vadd - the va_list form of both. */
int lines_vadd(struct lines *l, int kind, int pick, int tag, const char *fmt, va_list ap)
	__attribute__((format(printf, 5, 0)));
/* lines_add_text - every line of text (NULL or "" adds nothing), each after prefix. */
int lines_add_text(struct lines *l, int kind, const char *prefix, const char *text);

void lines_clear(struct lines *l);
void lines_free(struct lines *l);

#endif
