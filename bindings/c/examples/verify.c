/*
 * Verifies one QR text with libikd and prints the verdict JSON.
 *
 *   verify TRUST_STORE.json QR_TEXT_FILE [NOW]
 *
 * NOW is the time in Unix seconds; without it the host clock is read (ikd_now). Exits 0
 * for a valid credential, 1 for a rejected one, 2 for misuse.
 *
 *   gcc -Ibindings/c/include bindings/c/examples/verify.c -Ltarget/release -likd -o verify
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ikd.h"

/* The whole file as a NUL-terminated string, or NULL. */
static char *slurp(const char *path, size_t *len) {
    FILE *file = fopen(path, "rb");
    if (file == NULL) return NULL;
    char *text = NULL;
    size_t size = 0, used = 0, got;
    do {
        if (used + 4096 + 1 > size) {
            size = (used + 4096 + 1) * 2;
            char *bigger = realloc(text, size);
            if (bigger == NULL) break;
            text = bigger;
        }
        got = fread(text + used, 1, 4096, file);
        used += got;
    } while (got > 0);
    fclose(file);
    if (text != NULL) text[used] = 0;
    *len = used;
    return text;
}

static int misuse(IkdStatus status) {
    const char *message = ikd_last_error_message();
    fprintf(stderr, "error %s: %s\n", ikd_status_name(status), message ? message : "");
    return 2;
}

int main(int argc, char **argv) {
    if (argc < 3) {
        fprintf(stderr, "usage: %s TRUST_STORE.json QR_TEXT_FILE [NOW]   (libikd %s)\n",
                argv[0], ikd_version());
        return 2;
    }
    size_t store_len = 0, qr_len = 0;
    char *store = slurp(argv[1], &store_len);
    char *qr = slurp(argv[2], &qr_len);
    if (store == NULL || qr == NULL) {
        fprintf(stderr, "cannot read the input files\n");
        free(store);
        free(qr);
        return 2;
    }
    /* A file usually ends in a newline the scanner did not send. */
    while (qr_len > 0 && (qr[qr_len - 1] == '\n' || qr[qr_len - 1] == '\r')) qr_len--;

    int64_t now = 0;
    IkdStatus status = argc > 3 ? IKD_OK : ikd_now(&now);
    if (argc > 3) now = strtoll(argv[3], NULL, 10);

    IkdVerifier *verifier = NULL;
    char *verdict = NULL;
    IkdDetails details = {0};
    if (status == IKD_OK) status = ikd_verifier_new(store, NULL, &verifier);
    if (status == IKD_OK) {
        status = ikd_verify(verifier, (const uint8_t *)qr, qr_len, now, NULL, NULL, &verdict,
                            &details);
    }
    int exit_code = status == IKD_OK ? (details.valid ? 0 : 1) : misuse(status);
    if (verdict != NULL) printf("%s\n", verdict);
    ikd_string_free(verdict);
    ikd_verifier_free(verifier);
    free(store);
    free(qr);
    return exit_code;
}
