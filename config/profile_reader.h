// Reads Traffic Manager profiles in either JSON shape (ARM/template or Azure CLI) into the model.
#pragma once

#include "config/diagnostics.h"
#include "config/model.h"
#include "config/yaml_reader.h"

namespace tmdns::config {

// Reads one profile object: detects the shape (ARM when it has `properties`), checks every
// value's type and range and the rules that concern one object alone (monitorConfig, one
// endpoint's target/subnets/headers), and applies defaults, including priorities 1, 2, 3... when
// no endpoint sets one. Rules that compare endpoints, profiles or zones are in validator.h.
Profile readProfile(const YamlValue& value, Diagnostics& diags);

}  // namespace tmdns::config
