#include "store/sqlite/wal_checkpointer.hpp"

#include <sqlite3.h>

#include <utility>

#include "common/log.hpp"
#include "store/sqlite/sqlite_connection.hpp"

namespace hrapp::store::sqlite {
namespace {

/// How long a restart waits for its writer's turn, then for the readers still in the log; past
/// it, the next turn tries again. Writers wait behind it meanwhile.
constexpr std::chrono::milliseconds kRestartWait{200};

}  // namespace

WalCheckpointer::WalCheckpointer(std::string path, std::chrono::milliseconds interval, std::shared_ptr<Turns> writers,
                                 int restart_frames)
    : path_(std::move(path)),
      interval_(interval),
      writers_(std::move(writers)),
      restart_frames_(restart_frames),
      thread_([this] { run(); }) {}

WalCheckpointer::~WalCheckpointer() {
  {
    const std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_one();
  thread_.join();
}

void WalCheckpointer::run() {
  configure_sqlite_once();
  sqlite3* db = nullptr;
  bool warned = false;
  const auto warn_once = [&](std::string_view what) {
    if (!std::exchange(warned, true))
      log::warn(what, {{"error", std::string_view(db ? sqlite3_errmsg(db) : "out of memory")}});
  };
  int restarted_at = -1;  // the log's length at the last restart, until a write starts it over
  for (bool last = false; !last;) {
    {
      std::unique_lock lock(mutex_);
      last = wake_.wait_for(lock, interval_, [this] { return stopping_; });
    }
    if (!db) {
      if (sqlite3_open_v2(path_.c_str(), &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX,
                          nullptr) != SQLITE_OK) {
        warn_once("the write-ahead log cannot be checkpointed yet");
        sqlite3_close(db);
        db = nullptr;
        continue;  // tried again at the next turn
      }
      sqlite3_busy_timeout(db, static_cast<int>(kRestartWait.count()));  // only a restart waits, for readers
    }
    // A connection finds the log in its first read of the file, and checkpoints nothing before:
    // the file may have been empty, or not yet in WAL mode, at the last turn.
    sqlite3_exec(db, "SELECT 1 FROM sqlite_schema LIMIT 1", nullptr, nullptr, nullptr);
    int log_frames = 0;
    int rc = sqlite3_wal_checkpoint_v2(db, nullptr, SQLITE_CHECKPOINT_PASSIVE, &log_frames, nullptr);
    if (rc == SQLITE_OK && log_frames > restart_frames_ && log_frames != restarted_at) {
      if (const auto turn = writers_->take(kRestartWait)) {
        rc = sqlite3_wal_checkpoint_v2(db, nullptr, SQLITE_CHECKPOINT_RESTART, nullptr, nullptr);
        if (rc == SQLITE_OK) restarted_at = log_frames;
      }
    }
    // BUSY: another checkpoint is running, or a reader outlasted the wait; the next turn comes
    // soon. Anything else is said once.
    if (rc != SQLITE_OK && rc != SQLITE_BUSY) warn_once("write-ahead log checkpoint failed");
  }
  sqlite3_close(db);
}

}  // namespace hrapp::store::sqlite
