/*
 * datafile - where the files relaydeck ships (the provider catalog, the
 * themes) are: installed, or in the tree a binary was built in.
 *
 * API: datafile_find. No allocation; errors are a -1 return (nothing
 * found), the caller names what was missing.
 */
#ifndef RELAYDECK_DATAFILE_H
#define RELAYDECK_DATAFILE_H

#include <stddef.h>

/* datafile_find - the first of PKGDATADIR/installed, the running binary's
 * directory's in_tree (a binary run from its build tree) and the source
 * tree's in_tree (a build outside the source tree) that accept(path)
 * takes, copied into out. -1 when none is. */
int datafile_find(const char *installed, const char *in_tree, int (*accept)(const char *path),
		  char *out, size_t outlen);

#endif
