// The only file in Vigil that includes OpenSSL headers. Static inline wrappers expose to Swift
// what it cannot import directly (function-like macros, varargs) or cannot call safely: an
// `OSSL_PARAM` array holds borrowed pointers to C strings and integers that must stay alive for
// the duration of one call, which is awkward to guarantee from Swift, so the arrays are built here
// on the C stack, used once, and dropped.
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

/// A new KDF context for `kdf` with its "digest" parameter set to `digest`; a template, as above.
static inline EVP_KDF_CTX *vigil_kdf_ctx_new_with_digest(EVP_KDF *kdf, const char *digest) {
    EVP_KDF_CTX *ctx = EVP_KDF_CTX_new(kdf);
    if (ctx == NULL) {
        return NULL;
    }
    OSSL_PARAM params[2];
    params[0] = OSSL_PARAM_construct_utf8_string(OSSL_KDF_PARAM_DIGEST, (char *)digest, 0);
    params[1] = OSSL_PARAM_construct_end();
    if (EVP_KDF_CTX_set_params(ctx, params) != 1) {
        EVP_KDF_CTX_free(ctx);
        return NULL;
    }
    return ctx;
}

/// HKDF modes, as `EVP_KDF_HKDF_MODE_*`.
static inline int vigil_hkdf_mode_extract_and_expand(void) { return EVP_KDF_HKDF_MODE_EXTRACT_AND_EXPAND; }
static inline int vigil_hkdf_mode_extract_only(void) { return EVP_KDF_HKDF_MODE_EXTRACT_ONLY; }
static inline int vigil_hkdf_mode_expand_only(void) { return EVP_KDF_HKDF_MODE_EXPAND_ONLY; }

/// Runs `EVP_KDF_derive` on an HKDF context with mode, key, salt and info passed as parameters.
/// OpenSSL refuses an octet-string parameter whose data pointer is NULL even when its length is
/// zero, so empty inputs are pointed at a static byte. An empty salt or info is left unset
/// (OpenSSL then uses the RFC 5869 defaults); `salt == NULL` is only meaningful in expand mode.
static inline int vigil_hkdf_derive(EVP_KDF_CTX *ctx, int mode,
                                    const unsigned char *key, size_t key_len,
                                    const unsigned char *salt, size_t salt_len,
                                    const unsigned char *info, size_t info_len,
                                    unsigned char *out, size_t out_len) {
    static const unsigned char empty = 0;
    OSSL_PARAM params[5];
    OSSL_PARAM *p = params;
    *p++ = OSSL_PARAM_construct_int(OSSL_KDF_PARAM_MODE, &mode);
    *p++ = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_KEY,
                                             (void *)(key != NULL ? key : &empty), key_len);
    if (salt != NULL && salt_len > 0) {
        *p++ = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_SALT, (void *)salt, salt_len);
    }
    if (info != NULL && info_len > 0) {
        *p++ = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_INFO, (void *)info, info_len);
    }
    *p = OSSL_PARAM_construct_end();
    return EVP_KDF_derive(ctx, out, out_len, params);
}

#endif
