// Private to store/: reading and writing rows of `notifications` (the batch store
// queues them with their causes; the outbox store delivers them).
#pragma once

#include "store/batch_store.h"
#include "store/sqlite.h"

namespace inkan::store {

// The SELECT list read_notification() reads, in order.
extern const char* const kNotificationColumns;

NotificationRecord read_notification(const Statement& s);
void insert_notification(Connection& c, const NotificationRecord& n);

}  // namespace inkan::store
