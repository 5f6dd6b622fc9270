// Builds the Policy object for one compiled profile from its method and method-specific inputs.
#pragma once

#include <memory>
#include <string>

#include "routing/policy.h"

namespace tmdns::routing {

// Method-specific data that is not in Endpoint (subnets, geo codes, ...) is added here by the
// issues that bring those methods; Priority, Weighted and MultiValue need nothing more.
struct PolicyInputs {};

// Returns the policy for table.profiles[id] (its endpoints already in table.endpoints), or
// nullptr with `error` set when the inputs cannot be compiled.
std::unique_ptr<const Policy> makePolicy(const Table& table, ProfileId id, const PolicyInputs& inputs,
                                         std::string& error);

}  // namespace tmdns::routing
