// Response serialisation, reason phrases and the HTTP date format.
#include "http/message.h"

#include <cstdio>
#include <ctime>

#include "util/text.h"

namespace tmdns::http {

const std::string* Request::header(std::string_view name) const {
  for (const auto& [field, value] : headers) {
    if (util::equalsIgnoreCase(field, name)) {
      return &value;
    }
  }
  return nullptr;
}

Response textResponse(int status, std::string body) {
  Response response;
  response.status = status;
  response.body = std::move(body);
  response.body += '\n';
  return response;
}

std::string_view reasonPhrase(int status) {
  switch (status) {
    case 200:
      return "OK";
    case 400:
      return "Bad Request";
    case 404:
      return "Not Found";
    case 405:
      return "Method Not Allowed";
    case 408:
      return "Request Timeout";
    case 413:
      return "Content Too Large";
    case 414:
      return "URI Too Long";
    case 431:
      return "Request Header Fields Too Large";
    case 500:
      return "Internal Server Error";
    case 501:
      return "Not Implemented";
    case 503:
      return "Service Unavailable";
    case 505:
      return "HTTP Version Not Supported";
    default:
      return "Unknown";
  }
}

std::string serialize(const Response& response, bool headOnly, std::string_view date) {
  std::string out;
  out.reserve(256 + (headOnly ? 0 : response.body.size()));
  out += "HTTP/1.1 ";
  out += std::to_string(response.status);
  out += ' ';
  out += reasonPhrase(response.status);
  out += "\r\nContent-Type: ";
  out += response.contentType;
  out += "\r\nContent-Length: ";
  out += std::to_string(response.body.size());
  out += "\r\nDate: ";
  out += date;
  // Health and metrics are read live; no cache may answer for us.
  out += "\r\nCache-Control: no-store\r\nConnection: close\r\n";
  for (const auto& [name, value] : response.headers) {
    out += name;
    out += ": ";
    out += value;
    out += "\r\n";
  }
  out += "\r\n";
  if (!headOnly) {
    out += response.body;
  }
  return out;
}

std::string imfFixdate(long long unixSeconds) {
  // Spelled out rather than strftime'd: %a and %b depend on the locale.
  static const char* const kDays[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
  static const char* const kMonths[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                        "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  const auto seconds = static_cast<time_t>(unixSeconds);
  std::tm utc{};
  gmtime_r(&seconds, &utc);
  char buffer[96];  // room for any int the compiler cannot rule out
  std::snprintf(buffer, sizeof(buffer), "%s, %02d %s %04d %02d:%02d:%02d GMT",
                kDays[utc.tm_wday % 7], utc.tm_mday, kMonths[utc.tm_mon % 12], utc.tm_year + 1900,
                utc.tm_hour, utc.tm_min, utc.tm_sec);
  return buffer;
}

}  // namespace tmdns::http
