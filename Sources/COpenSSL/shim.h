// The only file in Vigil that includes OpenSSL headers. Static inline wrappers expose to Swift
// what it cannot import directly (function-like macros, varargs) or cannot call safely: an
// `OSSL_PARAM` array holds borrowed pointers to C strings and integers that must stay alive for
// the duration of one call, which is awkward to guarantee from Swift, so the arrays are built here
// on the C stack, used once, and dropped. Hot operations run as one composite call each (below),
// so a message costs one crossing into C rather than a dozen.
#ifndef VIGIL_COPENSSL_SHIM_H
#define VIGIL_COPENSSL_SHIM_H

#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/kdf.h>
#include <openssl/core_names.h>
#include <openssl/params.h>
#include <openssl/proverr.h>
#include <openssl/rand.h>
#include <openssl/hmac.h>
#include <string.h>

/// The library code of a packed OpenSSL error code (`ERR_GET_LIB`).
static inline int vigil_err_get_lib(unsigned long code) {
    return ERR_GET_LIB(code);
}

/// The reason code of a packed OpenSSL error code (`ERR_GET_REASON`).
static inline int vigil_err_get_reason(unsigned long code) {
    return ERR_GET_REASON(code);
}

/// `ERR_LIB_PROV` and `PROV_R_FAILED_DURING_DERIVATION` as values: the error the default
/// provider raises when X25519 produces the all-zero shared secret.
static inline int vigil_err_lib_prov(void) { return ERR_LIB_PROV; }
static inline int vigil_prov_r_failed_during_derivation(void) { return PROV_R_FAILED_DURING_DERIVATION; }

/// A new MAC context for `mac` with its "digest" parameter set to `digest` (e.g. "SHA256").
/// Vigil keeps one such context as a template and duplicates it per call, so the digest is looked
/// up by name once rather than on every MAC. Returns NULL on failure (error queue set).
static inline EVP_MAC_CTX *vigil_mac_ctx_new_with_digest(EVP_MAC *mac, const char *digest) {
    EVP_MAC_CTX *ctx = EVP_MAC_CTX_new(mac);
    if (ctx == NULL) {
        return NULL;
    }
    OSSL_PARAM params[2];
    params[0] = OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, (char *)digest, 0);
    params[1] = OSSL_PARAM_construct_end();
    if (EVP_MAC_CTX_set_params(ctx, params) != 1) {
        EVP_MAC_CTX_free(ctx);
        return NULL;
    }
    return ctx;
}

// MARK: - Composite operations
//
// Each helper below runs one whole operation (an HMAC, an HKDF, an AEAD seal or open, an X25519
// agreement) in a single call from Swift, on a context it creates from a template with a `*_dup`
// call and frees before returning. Templates are only ever read by `*_dup` (which takes atomic
// references on the shared method objects), so one template serves every thread; the per-call
// context is private to the calling thread. Freeing a context makes OpenSSL wipe its key material
// (`OPENSSL_clear_free` in the providers' `freectx`), and every local buffer that held secret bytes
// is wiped with `OPENSSL_cleanse`. On failure `*failed` names the libcrypto call that failed and
// the reason is left on the thread's error queue for the caller to drain.

/// A byte to point at for empty inputs: OpenSSL reads a NULL key as "keep the previous key".
static const unsigned char vigil_empty_input[1] = { 0 };

/// OpenSSL's update calls take `int` lengths; longer inputs are fed in chunks of this size.
#define VIGIL_MAXIMUM_CHUNK ((size_t)1 << 30)

// MARK: HMAC-SHA-256 and HKDF-SHA-256

/// HMAC-SHA-256 of `message` under `key`, written to `out` (32 bytes). `template` is an unkeyed
/// HMAC context whose digest is already set to SHA-256.
static inline int vigil_hmac_sha256(const EVP_MAC_CTX *template_ctx,
                                    const unsigned char *key, size_t key_len,
                                    const unsigned char *message, size_t message_len,
                                    unsigned char *out, const char **failed) {
    size_t length = 0;
    int ok = 0;
    EVP_MAC_CTX *ctx = EVP_MAC_CTX_dup(template_ctx);
    if (ctx == NULL) {
        *failed = "EVP_MAC_CTX_dup";
        return 0;
    }
    if (EVP_MAC_init(ctx, key != NULL ? key : vigil_empty_input, key_len, NULL) != 1) {
        *failed = "EVP_MAC_init";
    } else if (message_len > 0 && EVP_MAC_update(ctx, message, message_len) != 1) {
        *failed = "EVP_MAC_update";
    } else if (EVP_MAC_final(ctx, out, &length, 32) != 1 || length != 32) {
        *failed = "EVP_MAC_final";
    } else {
        ok = 1;
    }
    EVP_MAC_CTX_free(ctx);
    return ok;
}

/// The Double Ratchet's KDF_CK on `ctx`: `seed` = HMAC-SHA-256(`key`, 0x01) and
/// `next` = HMAC-SHA-256(`key`, 0x02), 32 bytes each. The key is set once; the second MAC reuses
/// it (`EVP_MAC_init` with a NULL key).
static inline int vigil_chain_step_with(EVP_MAC_CTX *ctx, const unsigned char *key, size_t key_len,
                                        unsigned char *seed, unsigned char *next, const char **failed) {
    static const unsigned char seed_constant = 0x01, next_constant = 0x02;
    size_t length = 0;
    if (EVP_MAC_init(ctx, key != NULL ? key : vigil_empty_input, key_len, NULL) != 1) {
        *failed = "EVP_MAC_init";
    } else if (EVP_MAC_update(ctx, &seed_constant, 1) != 1) {
        *failed = "EVP_MAC_update";
    } else if (EVP_MAC_final(ctx, seed, &length, 32) != 1 || length != 32) {
        *failed = "EVP_MAC_final";
    } else if (EVP_MAC_init(ctx, NULL, 0, NULL) != 1) {
        *failed = "EVP_MAC_init";
    } else if (EVP_MAC_update(ctx, &next_constant, 1) != 1) {
        *failed = "EVP_MAC_update";
    } else if (EVP_MAC_final(ctx, next, &length, 32) != 1 || length != 32) {
        *failed = "EVP_MAC_final";
    } else {
        return 1;
    }
    return 0;
}

/// `vigil_chain_step_with` on a duplicate of the unkeyed HMAC-SHA-256 template.
static inline int vigil_chain_step(const EVP_MAC_CTX *template_ctx, const unsigned char *key, size_t key_len,
                                   unsigned char *seed, unsigned char *next, const char **failed) {
    int ok;
    EVP_MAC_CTX *ctx = EVP_MAC_CTX_dup(template_ctx);
    if (ctx == NULL) {
        *failed = "EVP_MAC_CTX_dup";
        return 0;
    }
    ok = vigil_chain_step_with(ctx, key, key_len, seed, next, failed);
    EVP_MAC_CTX_free(ctx);
    return ok;
}

/// HKDF modes for `vigil_hkdf_sha256`.
#define VIGIL_HKDF_EXTRACT_AND_EXPAND 0
#define VIGIL_HKDF_EXTRACT_ONLY 1
#define VIGIL_HKDF_EXPAND_ONLY 2
static inline int vigil_hkdf_extract_and_expand(void) { return VIGIL_HKDF_EXTRACT_AND_EXPAND; }
static inline int vigil_hkdf_extract_only(void) { return VIGIL_HKDF_EXTRACT_ONLY; }
static inline int vigil_hkdf_expand_only(void) { return VIGIL_HKDF_EXPAND_ONLY; }

/// HKDF-SHA-256 (RFC 5869) as its two HMAC steps on one HMAC-SHA-256 context:
/// PRK = HMAC(salt, ikm) (an empty or NULL salt is 32 zero bytes), then T(i) =
/// HMAC(PRK, T(i-1) ‖ info ‖ i) until `out_len` bytes are written. In expand-only mode `ikm` is
/// the PRK; in extract-only mode `out_len` must be 32 and the PRK is the output.
///
/// OpenSSL 3.0's own "HKDF" KDF computes the same steps but fetches the HMAC algorithm and its
/// digest by name on every derivation (`EVP_Q_mac`); driving HMAC directly skips those lookups.
static inline int vigil_hkdf_sha256_with(EVP_MAC_CTX *ctx, int mode,
                                         const unsigned char *ikm, size_t ikm_len,
                                         const unsigned char *salt, size_t salt_len,
                                         const unsigned char *info, size_t info_len,
                                         unsigned char *out, size_t out_len, const char **failed) {
    static const unsigned char zero_salt[32] = { 0 };
    unsigned char prk[32];
    unsigned char block[32];
    const unsigned char *expand_key = ikm;
    size_t expand_key_len = ikm_len;
    size_t length = 0, offset = 0;
    unsigned int counter;
    int ok = 0;

    if (mode == VIGIL_HKDF_EXTRACT_ONLY ? out_len != 32 : (out_len == 0 || out_len > 255 * 32)) {
        *failed = "HKDF (output length)";
        return 0;
    }
    if (mode != VIGIL_HKDF_EXPAND_ONLY) {
        if (salt == NULL || salt_len == 0) {
            salt = zero_salt;
            salt_len = sizeof(zero_salt);
        }
        if (EVP_MAC_init(ctx, salt, salt_len, NULL) != 1) {
            *failed = "EVP_MAC_init";
            goto done;
        }
        if (ikm_len > 0 && EVP_MAC_update(ctx, ikm, ikm_len) != 1) {
            *failed = "EVP_MAC_update";
            goto done;
        }
        if (EVP_MAC_final(ctx, mode == VIGIL_HKDF_EXTRACT_ONLY ? out : prk, &length, 32) != 1 || length != 32) {
            *failed = "EVP_MAC_final";
            goto done;
        }
        if (mode == VIGIL_HKDF_EXTRACT_ONLY) {
            ok = 1;
            goto done;
        }
        expand_key = prk;
        expand_key_len = sizeof(prk);
    }
    for (counter = 1; offset < out_len; counter++) {
        unsigned char counter_byte = (unsigned char)counter;
        size_t take = out_len - offset < 32 ? out_len - offset : 32;
        /* The key is set for T(1) and reused (NULL key) for the later blocks. */
        const unsigned char *key = counter == 1 ? (expand_key != NULL ? expand_key : vigil_empty_input) : NULL;
        if (EVP_MAC_init(ctx, key, counter == 1 ? expand_key_len : 0, NULL) != 1) {
            *failed = "EVP_MAC_init";
            goto done;
        }
        if ((counter > 1 && EVP_MAC_update(ctx, block, sizeof(block)) != 1)
            || (info_len > 0 && EVP_MAC_update(ctx, info, info_len) != 1)
            || EVP_MAC_update(ctx, &counter_byte, 1) != 1) {
            *failed = "EVP_MAC_update";
            goto done;
        }
        if (EVP_MAC_final(ctx, block, &length, sizeof(block)) != 1 || length != 32) {
            *failed = "EVP_MAC_final";
            goto done;
        }
        memcpy(out + offset, block, take);
        offset += take;
    }
    ok = 1;
done:
    OPENSSL_cleanse(prk, sizeof(prk));
    OPENSSL_cleanse(block, sizeof(block));
    return ok;
}

/// `vigil_hkdf_sha256_with` on a duplicate of the unkeyed HMAC-SHA-256 template.
static inline int vigil_hkdf_sha256(const EVP_MAC_CTX *template_ctx, int mode,
                                    const unsigned char *ikm, size_t ikm_len,
                                    const unsigned char *salt, size_t salt_len,
                                    const unsigned char *info, size_t info_len,
                                    unsigned char *out, size_t out_len, const char **failed) {
    int ok;
    EVP_MAC_CTX *ctx = EVP_MAC_CTX_dup(template_ctx);
    if (ctx == NULL) {
        *failed = "EVP_MAC_CTX_dup";
        return 0;
    }
    ok = vigil_hkdf_sha256_with(ctx, mode, ikm, ikm_len, salt, salt_len, info, info_len, out, out_len, failed);
    EVP_MAC_CTX_free(ctx);
    return ok;
}

/// The Double Ratchet's per-message derivation on one context: KDF_CK on `chain_key` (the next
/// chain key to `next`), then HKDF(salt = 32 zeros, ikm = the message-key seed, `info`) into
/// `keys` (`keys_len` bytes). The seed never leaves this function and is wiped before it returns.
static inline int vigil_chain_message_keys(const EVP_MAC_CTX *template_ctx,
                                           const unsigned char *chain_key, size_t chain_key_len,
                                           const unsigned char *info, size_t info_len,
                                           unsigned char *next, unsigned char *keys, size_t keys_len,
                                           const char **failed) {
    unsigned char seed[32];
    int ok;
    EVP_MAC_CTX *ctx = EVP_MAC_CTX_dup(template_ctx);
    if (ctx == NULL) {
        *failed = "EVP_MAC_CTX_dup";
        return 0;
    }
    ok = vigil_chain_step_with(ctx, chain_key, chain_key_len, seed, next, failed)
        && vigil_hkdf_sha256_with(ctx, VIGIL_HKDF_EXTRACT_AND_EXPAND, seed, sizeof(seed), NULL, 0,
                                  info, info_len, keys, keys_len, failed);
    OPENSSL_cleanse(seed, sizeof(seed));
    EVP_MAC_CTX_free(ctx);
    return ok;
}

/// Two HMAC-SHA-256 contexts that one thread keeps for the ratchet's per-message derivation
/// (`KeySchedule.nextMessageKey` owns the thread-local slot): reusing them skips the duplicate
/// and free of a context per message. Between calls neither holds secret state — see
/// `vigil_chain_message_keys_cached`.
typedef struct vigil_ratchet_macs {
    EVP_MAC_CTX *keyed;     /* keyed per message with CK, then the PRK; re-keyed with a constant after */
    EVP_MAC_CTX *zero_salt; /* keyed once with HKDF's 32 zero bytes, a public key */
} vigil_ratchet_macs;

/// Frees a `vigil_ratchet_macs` (NULL is ignored); OpenSSL wipes the contexts as it frees them.
/// Also the thread-exit destructor of the thread-local slot.
static inline void vigil_ratchet_macs_free(void *value) {
    vigil_ratchet_macs *macs = (vigil_ratchet_macs *)value;
    if (macs == NULL) {
        return;
    }
    EVP_MAC_CTX_free(macs->keyed);
    EVP_MAC_CTX_free(macs->zero_salt);
    OPENSSL_free(macs);
}

/// New per-thread contexts duplicated from the unkeyed HMAC-SHA-256 template; NULL on failure.
static inline vigil_ratchet_macs *vigil_ratchet_macs_new(const EVP_MAC_CTX *template_ctx) {
    static const unsigned char zero_salt[32] = { 0 };
    vigil_ratchet_macs *macs = (vigil_ratchet_macs *)OPENSSL_zalloc(sizeof(*macs));
    if (macs == NULL) {
        return NULL;
    }
    macs->keyed = EVP_MAC_CTX_dup(template_ctx);
    macs->zero_salt = EVP_MAC_CTX_dup(template_ctx);
    if (macs->keyed == NULL || macs->zero_salt == NULL
        || EVP_MAC_init(macs->zero_salt, zero_salt, sizeof(zero_salt), NULL) != 1) {
        vigil_ratchet_macs_free(macs);
        ERR_clear_error();
        return NULL;
    }
    return macs;
}

/// `vigil_chain_message_keys` on a thread's own contexts. Whatever happens, before returning it
/// re-keys `keyed` with a constant one-byte key (wiping the pad states derived from the PRK and
/// OpenSSL's copy of the key) and restarts `zero_salt` from its keyed state (replacing the hash
/// state that produced the PRK); both replaced states are freed with `OPENSSL_clear_free` by
/// OpenSSL. If that scrubbing fails the contexts are freed and set to NULL, and the caller must
/// drop them (`*discard` is set).
static inline int vigil_chain_message_keys_cached(vigil_ratchet_macs *macs,
                                                  const unsigned char *chain_key, size_t chain_key_len,
                                                  const unsigned char *info, size_t info_len,
                                                  unsigned char *next, unsigned char *keys, size_t keys_len,
                                                  int *discard, const char **failed) {
    static const unsigned char scrub_key[1] = { 0 };
    unsigned char seed[32];
    unsigned char prk[32];
    size_t length = 0;
    int ok = vigil_chain_step_with(macs->keyed, chain_key, chain_key_len, seed, next, failed);
    if (ok && EVP_MAC_update(macs->zero_salt, seed, sizeof(seed)) != 1) {
        *failed = "EVP_MAC_update";
        ok = 0;
    }
    if (ok && (EVP_MAC_final(macs->zero_salt, prk, &length, sizeof(prk)) != 1 || length != sizeof(prk))) {
        *failed = "EVP_MAC_final";
        ok = 0;
    }
    ok = ok && vigil_hkdf_sha256_with(macs->keyed, VIGIL_HKDF_EXPAND_ONLY, prk, sizeof(prk), NULL, 0,
                                      info, info_len, keys, keys_len, failed);
    OPENSSL_cleanse(seed, sizeof(seed));
    OPENSSL_cleanse(prk, sizeof(prk));
    *discard = 0;
    if (EVP_MAC_init(macs->keyed, scrub_key, sizeof(scrub_key), NULL) != 1
        || EVP_MAC_init(macs->zero_salt, NULL, 0, NULL) != 1) {
        EVP_MAC_CTX_free(macs->keyed);
        EVP_MAC_CTX_free(macs->zero_salt);
        macs->keyed = NULL;
        macs->zero_salt = NULL;
        *discard = 1;
        if (ok) {
            ERR_clear_error();
        }
    }
    return ok;
}

// MARK: AEAD (ChaCha20-Poly1305, AES-256-GCM)

/// Feeds `len` bytes to an encrypting or decrypting context in `int`-sized chunks; with
/// `out == NULL` they are associated data.
static inline int vigil_cipher_update(EVP_CIPHER_CTX *ctx, int encrypt, unsigned char *out,
                                      const unsigned char *in, size_t len, const char **failed) {
    while (len > 0) {
        int chunk = (int)(len < VIGIL_MAXIMUM_CHUNK ? len : VIGIL_MAXIMUM_CHUNK);
        int written = 0;
        int result = encrypt ? EVP_EncryptUpdate(ctx, out, &written, in, chunk)
                             : EVP_DecryptUpdate(ctx, out, &written, in, chunk);
        if (result != 1) {
            *failed = encrypt ? "EVP_EncryptUpdate" : "EVP_DecryptUpdate";
            return 0;
        }
        if (written != chunk) {
            *failed = encrypt ? "EVP_EncryptUpdate (output length)" : "EVP_DecryptUpdate (output length)";
            return 0;
        }
        in += chunk;
        if (out != NULL) {
            out += chunk;
        }
        len -= (size_t)chunk;
    }
    return 1;
}

/// Seals `in` under a 32-byte key and 12-byte nonce with `cipher` (an AEAD with a 16-byte tag),
/// authenticating `aad1 ‖ aad2`: the ciphertext (as long as `in`; `out` may equal `in`) goes to
/// `out`, the tag to `tag`.
static inline int vigil_aead_seal(const EVP_CIPHER *cipher, const unsigned char *key, const unsigned char *nonce,
                                  const unsigned char *aad1, size_t aad1_len,
                                  const unsigned char *aad2, size_t aad2_len,
                                  const unsigned char *in, size_t in_len,
                                  unsigned char *out, unsigned char *tag, const char **failed) {
    unsigned char trailing[32];
    int trailing_len = 0;
    int ok = 0;
    EVP_CIPHER_CTX *ctx = EVP_CIPHER_CTX_new();
    if (ctx == NULL) {
        *failed = "EVP_CIPHER_CTX_new";
        return 0;
    }
    if (EVP_EncryptInit_ex2(ctx, cipher, key, nonce, NULL) != 1) {
        *failed = "EVP_EncryptInit_ex2";
    } else if (vigil_cipher_update(ctx, 1, NULL, aad1, aad1_len, failed)
               && vigil_cipher_update(ctx, 1, NULL, aad2, aad2_len, failed)
               && vigil_cipher_update(ctx, 1, out, in, in_len, failed)) {
        if (EVP_EncryptFinal_ex(ctx, trailing, &trailing_len) != 1) {
            *failed = "EVP_EncryptFinal_ex";
        } else if (trailing_len != 0) {
            *failed = "EVP_EncryptFinal_ex (trailing output)";
        } else if (EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_AEAD_GET_TAG, 16, tag) != 1) {
            *failed = "EVP_CIPHER_CTX_ctrl";
        } else {
            ok = 1;
        }
    }
    EVP_CIPHER_CTX_free(ctx);
    return ok;
}

/// Checks `tag` over `aad1 ‖ aad2` and the ciphertext `in` and decrypts it into `out`.
/// Returns 1 when authentic; 0 on an authentication failure, with `out` wiped and the error queue
/// cleared; -1 when a library call failed (`*failed` names it).
static inline int vigil_aead_open(const EVP_CIPHER *cipher, const unsigned char *key, const unsigned char *nonce,
                                  const unsigned char *aad1, size_t aad1_len,
                                  const unsigned char *aad2, size_t aad2_len,
                                  const unsigned char *in, size_t in_len, const unsigned char *tag,
                                  unsigned char *out, const char **failed) {
    unsigned char expected_tag[16];
    unsigned char trailing[32];
    int trailing_len = 0;
    int result = -1;
    EVP_CIPHER_CTX *ctx = EVP_CIPHER_CTX_new();
    if (ctx == NULL) {
        *failed = "EVP_CIPHER_CTX_new";
        return -1;
    }
    memcpy(expected_tag, tag, sizeof(expected_tag));
    if (EVP_DecryptInit_ex2(ctx, cipher, key, nonce, NULL) != 1) {
        *failed = "EVP_DecryptInit_ex2";
    } else if (EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_AEAD_SET_TAG, 16, expected_tag) != 1) {
        *failed = "EVP_CIPHER_CTX_ctrl";
    } else if (vigil_cipher_update(ctx, 0, NULL, aad1, aad1_len, failed)
               && vigil_cipher_update(ctx, 0, NULL, aad2, aad2_len, failed)
               && vigil_cipher_update(ctx, 0, out, in, in_len, failed)) {
        if (EVP_DecryptFinal_ex(ctx, trailing, &trailing_len) == 1 && trailing_len == 0) {
            result = 1;
        } else {
            ERR_clear_error();
            result = 0;
        }
    }
    if (result != 1 && out != NULL && in_len > 0) {
        /* OpenSSL decrypts before it checks the tag: no unauthenticated plaintext is released. */
        OPENSSL_cleanse(out, in_len);
    }
    EVP_CIPHER_CTX_free(ctx);
    return result;
}

// MARK: X25519 and Ed25519 keys

/// A context for keys of `type` with no operation set, used only as a `EVP_PKEY_CTX_dup` source
/// for importing raw public keys (duplicating it skips the by-name key-manager fetch of
/// `EVP_PKEY_new_raw_public_key`).
static inline EVP_PKEY_CTX *vigil_pkey_import_template(const char *type) {
    return EVP_PKEY_CTX_new_from_name(NULL, type, NULL);
}

/// A key imported from its raw bytes through a duplicate of `template_ctx`: `param` names the
/// raw field (public or private key) and `selection` what to build.
static inline EVP_PKEY *vigil_pkey_new_raw(const EVP_PKEY_CTX *template_ctx, const char *param,
                                           int selection, const unsigned char *raw, size_t raw_len,
                                           const char **failed) {
    EVP_PKEY *key = NULL;
    OSSL_PARAM params[2];
    EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_dup(template_ctx);
    if (ctx == NULL) {
        *failed = "EVP_PKEY_CTX_dup";
        return NULL;
    }
    params[0] = OSSL_PARAM_construct_octet_string(param, (void *)(raw != NULL ? raw : vigil_empty_input), raw_len);
    params[1] = OSSL_PARAM_construct_end();
    if (EVP_PKEY_fromdata_init(ctx) != 1) {
        *failed = "EVP_PKEY_fromdata_init";
    } else if (EVP_PKEY_fromdata(ctx, &key, selection, params) != 1) {
        *failed = "EVP_PKEY_fromdata";
        key = NULL;
    }
    EVP_PKEY_CTX_free(ctx);
    return key;
}

/// A public key from its raw bytes, imported through a duplicate of `template_ctx`.
static inline EVP_PKEY *vigil_pkey_new_raw_public(const EVP_PKEY_CTX *template_ctx,
                                                  const unsigned char *raw, size_t raw_len,
                                                  const char **failed) {
    return vigil_pkey_new_raw(template_ctx, OSSL_PKEY_PARAM_PUB_KEY, EVP_PKEY_PUBLIC_KEY, raw, raw_len, failed);
}

/// A private key (its public half computed by the provider) from its raw bytes, imported
/// through a duplicate of `template_ctx` like `vigil_pkey_new_raw_public`.
static inline EVP_PKEY *vigil_pkey_new_raw_private(const EVP_PKEY_CTX *template_ctx,
                                                   const unsigned char *raw, size_t raw_len,
                                                   const char **failed) {
    return vigil_pkey_new_raw(template_ctx, OSSL_PKEY_PARAM_PRIV_KEY, EVP_PKEY_KEYPAIR, raw, raw_len, failed);
}

/// A key-exchange context for the private key `key`, initialized for derivation: the template
/// each agreement duplicates.
static inline EVP_PKEY_CTX *vigil_derive_template(EVP_PKEY *key, const char **failed) {
    EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new_from_pkey(NULL, key, NULL);
    if (ctx == NULL) {
        *failed = "EVP_PKEY_CTX_new_from_pkey";
        return NULL;
    }
    if (EVP_PKEY_derive_init(ctx) != 1) {
        *failed = "EVP_PKEY_derive_init";
        EVP_PKEY_CTX_free(ctx);
        return NULL;
    }
    return ctx;
}

/// The agreement of the template's private key with `peer`, written to `out` (`*out_len` bytes
/// available, set to the length written). The peer is set without `EVP_PKEY_public_check`: for
/// X25519 every 32-byte string is a valid public key (RFC 7748 §5), so the check only costs a
/// context; small-order peers are caught by the derivation's all-zero test.
static inline int vigil_derive(const EVP_PKEY_CTX *template_ctx, EVP_PKEY *peer,
                               unsigned char *out, size_t *out_len, const char **failed) {
    int ok = 0;
    EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_dup(template_ctx);
    if (ctx == NULL) {
        *failed = "EVP_PKEY_CTX_dup";
        return 0;
    }
    if (EVP_PKEY_derive_set_peer_ex(ctx, peer, 0) != 1) {
        *failed = "EVP_PKEY_derive_set_peer_ex";
    } else if (EVP_PKEY_derive(ctx, out, out_len) != 1) {
        *failed = "EVP_PKEY_derive";
    } else {
        ok = 1;
    }
    EVP_PKEY_CTX_free(ctx);
    return ok;
}

/// A digest-sign (`verify == 0`) or digest-verify context for the Ed25519 key `key`: the
/// template each signature or verification copies with `EVP_MD_CTX_copy_ex`.
static inline EVP_MD_CTX *vigil_eddsa_template(EVP_PKEY *key, int verify, const char **failed) {
    EVP_MD_CTX *ctx = EVP_MD_CTX_new();
    if (ctx == NULL) {
        *failed = "EVP_MD_CTX_new";
        return NULL;
    }
    if ((verify ? EVP_DigestVerifyInit(ctx, NULL, NULL, NULL, key)
                : EVP_DigestSignInit(ctx, NULL, NULL, NULL, key)) != 1) {
        *failed = verify ? "EVP_DigestVerifyInit" : "EVP_DigestSignInit";
        EVP_MD_CTX_free(ctx);
        return NULL;
    }
    return ctx;
}

/// A one-shot Ed25519 signature on a copy of the signing template.
static inline int vigil_eddsa_sign(const EVP_MD_CTX *template_ctx, const unsigned char *message, size_t message_len,
                                   unsigned char *signature, size_t *signature_len, const char **failed) {
    int ok = 0;
    EVP_MD_CTX *ctx = EVP_MD_CTX_new();
    if (ctx == NULL) {
        *failed = "EVP_MD_CTX_new";
        return 0;
    }
    if (EVP_MD_CTX_copy_ex(ctx, template_ctx) != 1) {
        *failed = "EVP_MD_CTX_copy_ex";
    } else if (EVP_DigestSign(ctx, signature, signature_len,
                              message != NULL ? message : vigil_empty_input, message_len) != 1) {
        *failed = "EVP_DigestSign";
    } else {
        ok = 1;
    }
    EVP_MD_CTX_free(ctx);
    return ok;
}

/// A one-shot Ed25519 verification on a copy of the verifying template: 1 valid, 0 invalid (the
/// error queue cleared), -1 when a library call failed.
static inline int vigil_eddsa_verify(const EVP_MD_CTX *template_ctx, const unsigned char *signature, size_t signature_len,
                                     const unsigned char *message, size_t message_len, const char **failed) {
    int result = -1;
    EVP_MD_CTX *ctx = EVP_MD_CTX_new();
    if (ctx == NULL) {
        *failed = "EVP_MD_CTX_new";
        return -1;
    }
    if (EVP_MD_CTX_copy_ex(ctx, template_ctx) != 1) {
        *failed = "EVP_MD_CTX_copy_ex";
    } else {
        result = EVP_DigestVerify(ctx, signature, signature_len,
                                  message != NULL ? message : vigil_empty_input, message_len);
        if (result == 0) {
            ERR_clear_error(); /* a bad signature queues a reason */
        } else if (result != 1) {
            *failed = "EVP_DigestVerify";
            result = -1;
        }
    }
    EVP_MD_CTX_free(ctx);
    return result;
}

#endif
