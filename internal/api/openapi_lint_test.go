package api_test

import (
	"context"
	"os"
	"os/exec"
	"testing"
	"time"
)

// redoclyCLI is the linter, pinned so that a new release's rules do not
// fail a build nobody changed.
const redoclyCLI = "@redocly/cli@2.77.0"

// TestOpenAPILintsClean runs a standard OpenAPI linter (Redocly's
// recommended rules, warnings as errors) over the document app makers
// generate their clients from. It needs npx (Node.js and the npm
// registry); without it the test is skipped, except under CI=true.
func TestOpenAPILintsClean(t *testing.T) {
	npx, err := exec.LookPath("npx")
	if err != nil {
		// scripts/test installs npm when it is missing.
		t.Fatal("npx is not installed: the OpenAPI lint cannot run (apt-get install npm, or run scripts/test)")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, npx, "--yes", redoclyCLI, "lint", "--config", "redocly.yaml", "--format", "stylish", "openapi.json")
	cmd.Env = append(os.Environ(), "NO_UPDATE_NOTIFIER=1", "REDOCLY_TELEMETRY=off", "REDOCLY_SUPPRESS_UPDATE_NOTICE=true")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("internal/api/openapi.json does not lint clean with %s (%v):\n%s\n"+
			"Every operation needs an operationId (unique, camelCase), at least one 4xx response "+
			"(\"$ref\": \"#/components/responses/Error\" for the API's JSON error), and a summary; "+
			"operations without credentials say \"security\": []. Run: cd internal/api && npx --yes %s lint --config redocly.yaml openapi.json",
			redoclyCLI, err, out, redoclyCLI)
	}
}
