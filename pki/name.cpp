#include "pki/name.h"

#include "common/error.h"

namespace inkan::pki {

X509NamePtr build_name(const DistinguishedName& name) {
    X509NamePtr out(X509_NAME_new());
    if (!out) throw Error(ErrorCategory::Internal, "openssl_failure", "X509_NAME_new failed");
    for (const auto& attr : name) {
        if (attr.value.empty())
            throw Error(ErrorCategory::InvalidInput, "bad_name", "empty value for " + attr.type);
        const auto* value = reinterpret_cast<const unsigned char*>(attr.value.data());
        if (X509_NAME_add_entry_by_txt(out.get(), attr.type.c_str(), MBSTRING_UTF8, value,
                                       static_cast<int>(attr.value.size()), -1, 0) != 1) {
            openssl_error_text();  // clear the queue
            throw Error(ErrorCategory::InvalidInput, "bad_name",
                        "cannot encode name attribute " + attr.type);
        }
    }
    return out;
}

namespace {

NameAttribute attribute_of(const X509_NAME_ENTRY* entry) {
    const ASN1_OBJECT* obj = X509_NAME_ENTRY_get_object(entry);
    int nid = OBJ_obj2nid(obj);
    std::string type;
    if (nid != NID_undef) {
        type = OBJ_nid2sn(nid);
    } else {
        char buf[128];
        OBJ_obj2txt(buf, sizeof buf, obj, 1);
        type = buf;
    }
    unsigned char* utf8 = nullptr;
    int len = ASN1_STRING_to_UTF8(&utf8, X509_NAME_ENTRY_get_data(entry));
    if (len < 0) throw Error(ErrorCategory::InvalidInput, "bad_name", "undecodable name value");
    OpenSslBytes owned(utf8);
    return {type, std::string(reinterpret_cast<char*>(utf8), static_cast<size_t>(len))};
}

}  // namespace

DistinguishedName name_attributes(const X509_NAME* name) {
    DistinguishedName out;
    for (int i = 0; i < X509_NAME_entry_count(name); ++i)
        out.push_back(attribute_of(X509_NAME_get_entry(name, i)));
    return out;
}

std::vector<DistinguishedName> name_rdns(const X509_NAME* name) {
    std::vector<DistinguishedName> out;
    int current_set = -1;
    for (int i = 0; i < X509_NAME_entry_count(name); ++i) {
        const X509_NAME_ENTRY* entry = X509_NAME_get_entry(name, i);
        if (X509_NAME_ENTRY_set(entry) != current_set) {
            current_set = X509_NAME_ENTRY_set(entry);
            out.emplace_back();
        }
        out.back().push_back(attribute_of(entry));
    }
    return out;
}

std::string name_to_string(const X509_NAME* name) {
    BioPtr bio(BIO_new(BIO_s_mem()));
    X509_NAME_print_ex(bio.get(), name, 0, XN_FLAG_RFC2253 & ~ASN1_STRFLGS_ESC_MSB);
    char* data = nullptr;
    long len = BIO_get_mem_data(bio.get(), &data);
    return std::string(data, static_cast<size_t>(len));
}

std::string name_to_request_form(const X509_NAME* name) {
    auto attributes = name_attributes(name);
    std::string out;
    for (auto it = attributes.rbegin(); it != attributes.rend(); ++it) {
        if (!out.empty()) out += ',';
        out += it->type + "=" + it->value;
    }
    return out;
}

}  // namespace inkan::pki
