/*
 * samegroup - items whose text is the same byte for byte, grouped: a
 * fleet's per-host diff told once per distinct diff ("38 hosts: this
 * diff; 2 hosts: that diff"), the same way on the command line and in
 * the console.
 *
 * API: same_groups groups n texts (text[i], len[i]; a NULL or empty
 * text is left out) by content: sorting, so n log n for thousands of
 * hosts. Groups come in the order of their first member, members in
 * index order.
 *
 * Ownership: same_groups_free releases the array and its members.
 * Errors: -1 (out of memory) with e filled.
 */
#ifndef RELAYDECK_SAMEGROUP_H
#define RELAYDECK_SAMEGROUP_H

#include <stddef.h>

#include "err.h"

struct same_group {
	size_t *members;	/* indices into the texts, ascending */
	size_t n;
};

int same_groups(const char *const *text, const size_t *len, size_t n, struct same_group **out,
		size_t *nout, struct err *e);
void same_groups_free(struct same_group *g, size_t n);

#endif
