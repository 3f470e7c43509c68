/* What the server said, in the user's language: the server's sentences are English msgids of
 * gtsync's catalogue, so the client shows the catalogue's translation of the very sentence, and
 * for a sentence the catalogue does not hold, its own sentence for the code with the server's
 * words after it. */
#ifndef GT_SERVERMSG_H
#define GT_SERVERMSG_H

#include <stddef.h>

/* Room for any sentence these functions write: the generic sentence and the server's words (a
 * longer sentence of the server is cut). */
#define GT_SERVERMSG_MAX 768

/* The sentence to show for an error the server sent (a GT_E* code and its sentence said, which
 * may be NULL or empty):
 *  - said empty: the catalogue's sentence for the code;
 *  - in English: said as it is (it may name details);
 *  - in another language, said is one of the server's sentences the catalogue holds (marked
 *    N_() in server/): its translation;
 *  - else the code's sentence in the language in use followed by the server's own words
 *    ("tidak berwenang; kata server: \"...\""), so no detail is lost.
 * Returns said, a static string, or buf (written; GT_SERVERMSG_MAX bytes, caller's). */
const char *gt_servermsg_error(int code, const char *said, char buf[GT_SERVERMSG_MAX]);

/* As gt_servermsg_error() for an item the server did not apply (a ConflictReason). */
const char *gt_servermsg_conflict(int reason, const char *said, char buf[GT_SERVERMSG_MAX]);

#endif
