#pragma once
#include <string>
#include <vector>

#include "api/sessions.hpp"
#include "common/keyed_shares.hpp"
#include "common/turns.hpp"
#include "domain/employee_service.hpp"
#include "http/router.hpp"

namespace hrapp::api {

/// How many searches, deep pages, exports and imports one account may have running at once: a
/// few, so that no account takes the blocking pool's threads from the others.
inline constexpr std::size_t kCostlyPerAccount = 2;

/// An import's file at most (10,000 rows of a directory's fields).
inline constexpr std::size_t kMaxImportBytes = 5 * 1024 * 1024;

/// The directory: employee profiles, their photos, the departments, its export and import.
class EmployeeRoutes {
 public:
  EmployeeRoutes(EmployeeService& employees, const Sessions& sessions, std::size_t upload_limit);
  std::vector<http::Route<Context>> routes();

 private:
  http::Response create_employee(Context&);
  http::Response list_employees(Context&);
  http::Response get_employee(Context&);
  http::Response update_employee(Context&, bool replace_all);
  http::Response delete_employee(Context&);
  http::Response export_csv(Context&);
  http::Response import_csv(Context&);
  http::Response departments(Context&);
  http::Response image(Context&);
  void append_employee(std::string& out, const Employee& e) const;
  http::Response employee_json(int status, const Employee& e) const;
  /// The policy's check of whether the signed-in account may make this change to a profile.
  /// `contact_only`: the change touches only the contact fields and the photo.
  store::ChangeCheck may_change(const Context& c, bool contact_only) const;
  /// One of the account's shares of costly work (searches, deep pages, exports, imports);
  /// throws TooManyRequests when it has them all running.
  std::optional<KeyedShares::Share> costly_share(std::int64_t account);
  /// Only hr and admin link a profile to an account.
  void check_account_link(const Context& c, const EmployeeFields& fields) const;

  EmployeeService& employees_;
  const Sessions& sessions_;
  std::size_t upload_limit_;
  KeyedShares costly_work_{kCostlyPerAccount};
  /// Searches and deep pages being read, process-wide: as many at once as there are cores, the
  /// others waiting their turn. A search is mostly CPU (SQLite's, or PostgreSQL's beside the
  /// app), so more at once only lengthen each one's wait: 8 searches at once on 2 cores had a p99
  /// of 111 ms against PostgreSQL's median of 4 ms, 2 at once 9.5 ms at the same rate.
  Turns costly_reads_;
};

}  // namespace hrapp::api
