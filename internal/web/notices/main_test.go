package notices_test

import (
	"testing"

	"github.com/hotline-1022/hotline/internal/web/webtest"
)

// TestMain stops the browser the browser tests share.
func TestMain(m *testing.M) { webtest.Main(m) }
