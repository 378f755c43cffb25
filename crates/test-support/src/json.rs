//! Reading the JSON the API answers with, as the tests need it.

use serde_json::Value;

/// The `items` of a list page (they must be an array).
pub fn items(page: &Value) -> &[Value] {
    page["items"]
        .as_array()
        .unwrap_or_else(|| panic!("a page with items: {page}"))
}

/// The integer `field` of every element of the JSON array `list` (`seq`s of messages, `id`s
/// of tickets); every element must have one.
pub fn ints(list: &Value, field: &str) -> Vec<i64> {
    list.as_array()
        .unwrap_or_else(|| panic!("an array: {list}"))
        .iter()
        .map(|x| {
            x[field]
                .as_i64()
                .unwrap_or_else(|| panic!("an integer {field} in {x}"))
        })
        .collect()
}
