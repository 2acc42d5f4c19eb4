#ifndef FABNET_COPENSSL_SHIM_H
#define FABNET_COPENSSL_SHIM_H
// The parts of OpenSSL's libcrypto that fabnet uses to make keys and certificates.
#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/ec.h>
#include <openssl/objects.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <openssl/x509_vfy.h>
#include <openssl/crypto.h>
#endif
