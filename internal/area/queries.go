package area

import (
	"fmt"
	"strings"
)

// The SQL of the areas and area_legacy tables. It runs unchanged on SQLite
// and PostgreSQL: $N placeholders, LIKE on the lower-case folded columns
// (so PostgreSQL's case-sensitive LIKE is no problem) and ESCAPE '\' so a
// query's own % and _ stay literal.

// areaColumns is what scanArea reads; p is the parent province.
const areaColumns = `a.code, COALESCE(a.parent_code, ''), a.level, a.type, a.name, a.full_name, a.name_en,
	a.valid_from, a.valid_to, COALESCE(p.name, '')`

const areaFrom = ` FROM areas a LEFT JOIN areas p ON p.code = a.parent_code `

// inForce keeps the units in force on the day in $1.
const inForce = ` a.valid_from <= $1 AND (a.valid_to IS NULL OR a.valid_to > $1) `

const getAreaSQL = `SELECT ` + areaColumns + areaFrom + `WHERE a.code = $1`

const provincesSQL = `SELECT ` + areaColumns + areaFrom + `WHERE` + inForce + `AND a.level = 'province'`

const wardsSQL = `SELECT ` + areaColumns + areaFrom + `WHERE` + inForce + `AND a.level = 'ward' AND a.parent_code = $2`

// searchSQL finds candidates whose folded names contain $2; Go ranks them.
// An empty $3 searches every unit, provinces included; otherwise only the
// wards of province $3. Ordering by level puts a province before a ward of
// the same name and rank (ranking sorts stably).
const searchSQL = `SELECT ` + areaColumns + `, a.fold` + areaFrom + `WHERE` + inForce + `
	AND a.fold LIKE $2 ESCAPE '\' AND ($3 = '' OR a.parent_code = $3)
	ORDER BY a.level, a.code`

// legacySQL finds old units whose folded name and district contain $1 and
// $2 (pass '%' for "any"), with the new unit each went into.
const legacySQL = `SELECT ` + areaColumns + `, l.old_code, l.old_name, l.old_district, l.relation, l.note
	FROM area_legacy l JOIN areas a ON a.code = l.new_code LEFT JOIN areas p ON p.code = a.parent_code
	WHERE l.fold LIKE $1 ESCAPE '\' AND l.fold LIKE $2 ESCAPE '\'
	ORDER BY l.id`

// legacyAllSQL reads the stored conversion table in load order, so Import
// can tell whether it already matches the embedded one.
const legacyAllSQL = `SELECT new_code, old_code, old_name, old_district, old_province_code, relation, note, fold
	FROM area_legacy ORDER BY id`

const legacyDeleteSQL = `DELETE FROM area_legacy`

// upsertAreasSQL inserts or updates n units. Unchanged rows are left alone
// (the WHERE), so a repeated import writes nothing; IS DISTINCT FROM is the
// NULL-safe comparison on both engines (SQLite ≥ 3.39).
func upsertAreasSQL(n int) string {
	return `INSERT INTO areas (code, parent_code, level, type, name, full_name, name_en, fold, valid_from) VALUES ` +
		placeholders(n, 9) + `
	ON CONFLICT (code) DO UPDATE SET parent_code = excluded.parent_code, level = excluded.level,
		type = excluded.type, name = excluded.name, full_name = excluded.full_name, name_en = excluded.name_en,
		fold = excluded.fold, valid_from = excluded.valid_from, valid_to = NULL
	WHERE areas.parent_code IS DISTINCT FROM excluded.parent_code OR areas.level <> excluded.level
		OR areas.type <> excluded.type OR areas.name <> excluded.name OR areas.full_name <> excluded.full_name
		OR areas.name_en <> excluded.name_en OR areas.fold <> excluded.fold
		OR areas.valid_from <> excluded.valid_from OR areas.valid_to IS NOT NULL`
}

// insertLegacySQL inserts n rows of the conversion table.
func insertLegacySQL(n int) string {
	return `INSERT INTO area_legacy (new_code, old_code, old_name, old_district, old_province_code, relation, note, fold) VALUES ` +
		placeholders(n, 8)
}

// placeholders returns "($1, …, $cols), ($cols+1, …)" for rows rows.
func placeholders(rows, cols int) string {
	var b strings.Builder
	for r := 0; r < rows; r++ {
		if r > 0 {
			b.WriteString(", ")
		}
		b.WriteByte('(')
		for c := 0; c < cols; c++ {
			if c > 0 {
				b.WriteString(", ")
			}
			fmt.Fprintf(&b, "$%d", r*cols+c+1)
		}
		b.WriteByte(')')
	}
	return b.String()
}
