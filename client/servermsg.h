/* What the server said, in the user's language: the server's sentences are English, so the
 * client shows its own translation, chosen by the code the server sent with the sentence. */
#ifndef GT_SERVERMSG_H
#define GT_SERVERMSG_H

/* The sentence to show for an error the server sent (a GT_E* code and its sentence said,
 * which may be NULL or empty): in English the server's own sentence when it gave one (it may
 * name details), in any other language the catalogue's translation of the code's meaning, so
 * an Indonesian user never reads an English server sentence. Borrowed result (said, or a
 * static string). */
const char *gt_servermsg_error(int code, const char *said);

/* As gt_servermsg_error() for an item the server did not apply (a ConflictReason). */
const char *gt_servermsg_conflict(int reason, const char *said);

#endif
