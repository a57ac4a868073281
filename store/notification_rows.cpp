#include "store/notification_rows.h"

namespace inkan::store {

const char* const kNotificationColumns =
    "id, type, batch_id, row_no, recipient, serial_hex, subject, secret_ciphertext, created_at, "
    "sent_at, serial_dec, old_serial_hex, old_serial_dec, attachment";

NotificationRecord read_notification(const Statement& s) {
    NotificationRecord n;
    n.id = s.int64(0);
    n.type = s.text(1);
    n.batch_id = s.text(2);
    n.row_no = s.opt_int64(3);
    n.recipient = s.text(4);
    n.serial_hex = s.opt_text(5);
    n.subject = s.opt_text(6);
    n.secret_ciphertext = s.is_null(7) ? Bytes{} : s.blob(7);
    n.created_at = s.int64(8);
    n.sent_at = s.opt_int64(9);
    n.serial_dec = s.opt_text(10);
    n.old_serial_hex = s.opt_text(11);
    n.old_serial_dec = s.opt_text(12);
    if (!s.is_null(13)) n.attachment = inkan::to_string(ByteView(s.blob(13)));
    return n;
}

void insert_notification(Connection& c, const NotificationRecord& n) {
    Statement s(
        c,
        "INSERT INTO notifications (type, batch_id, row_no, recipient, serial_hex, subject, "
        "secret_ciphertext, created_at, serial_dec, old_serial_hex, old_serial_dec, attachment) "
        "VALUES (?,?,?,?,?,?,?,?,?,?,?,?)");
    s.bind(1, n.type).bind(2, n.batch_id).bind(3, n.row_no).bind(4, n.recipient);
    s.bind(5, n.serial_hex).bind(6, n.subject);
    if (n.secret_ciphertext.empty()) {
        s.bind_null(7);
    } else {
        s.bind(7, ByteView(n.secret_ciphertext));
    }
    s.bind(8, n.created_at).bind(9, n.serial_dec).bind(10, n.old_serial_hex);
    s.bind(11, n.old_serial_dec);
    if (n.attachment.empty()) {
        s.bind_null(12);
    } else {
        s.bind(12, as_bytes(n.attachment));
    }
    s.run();
}

}  // namespace inkan::store
