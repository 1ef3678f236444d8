//! Zola's filters on top of Tera's built-ins: `markdown`, `base64_encode`,
//! `base64_decode`, `regex_replace`, `num_format`.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use base64::Engine as _;
use regex::Regex;
use tera::{Error, Tera, Value};

use crate::config::Config;

pub(crate) fn register(tera: &mut Tera, config: Arc<Config>) {
    tera.register_filter(
        "markdown",
        move |value: &Value, args: &HashMap<String, Value>| {
            let text = value
                .as_str()
                .ok_or_else(|| Error::msg("`markdown` expects a string"))?;
            let inline = args.get("inline").and_then(Value::as_bool).unwrap_or(false);
            Ok(Value::String(crate::markdown::render_inline(
                text, &config, inline,
            )))
        },
    );
    tera.register_filter(
        "base64_encode",
        |value: &Value, _: &HashMap<String, Value>| {
            let text = value
                .as_str()
                .ok_or_else(|| Error::msg("`base64_encode` expects a string"))?;
            Ok(Value::String(
                base64::engine::general_purpose::STANDARD.encode(text),
            ))
        },
    );
    tera.register_filter(
        "base64_decode",
        |value: &Value, _: &HashMap<String, Value>| {
            let text = value
                .as_str()
                .ok_or_else(|| Error::msg("`base64_decode` expects a string"))?;
            let bytes = base64::engine::general_purpose::STANDARD
                .decode(text)
                .map_err(|e| Error::msg(format!("`base64_decode`: {e}")))?;
            Ok(Value::String(String::from_utf8_lossy(&bytes).into_owned()))
        },
    );
    let cache: Arc<Mutex<HashMap<String, Regex>>> = Arc::default();
    tera.register_filter(
        "regex_replace",
        move |value: &Value, args: &HashMap<String, Value>| {
            let text = value
                .as_str()
                .ok_or_else(|| Error::msg("`regex_replace` expects a string"))?;
            let pattern = args
                .get("pattern")
                .and_then(Value::as_str)
                .ok_or_else(|| Error::msg("`regex_replace` needs a `pattern` string argument"))?;
            let rep = args
                .get("rep")
                .and_then(Value::as_str)
                .ok_or_else(|| Error::msg("`regex_replace` needs a `rep` string argument"))?;
            let re = {
                let mut cache = cache.lock().unwrap_or_else(|e| e.into_inner());
                match cache.get(pattern) {
                    Some(re) => re.clone(),
                    None => {
                        let re = Regex::new(pattern)
                            .map_err(|e| Error::msg(format!("`regex_replace`: {e}")))?;
                        cache.insert(pattern.to_string(), re.clone());
                        re
                    }
                }
            };
            Ok(Value::String(re.replace_all(text, rep).into_owned()))
        },
    );
    tera.register_filter(
        "num_format",
        |value: &Value, args: &HashMap<String, Value>| {
            use num_format::{Locale, ToFormattedString};
            let n = value
                .as_i64()
                .ok_or_else(|| Error::msg("`num_format` expects a whole number"))?;
            let locale_name = args.get("locale").and_then(Value::as_str).unwrap_or("en");
            let locale = Locale::from_name(locale_name)
                .map_err(|_| Error::msg(format!("`num_format`: unknown locale `{locale_name}`")))?;
            Ok(Value::String(n.to_formatted_string(&locale)))
        },
    );
}

#[cfg(test)]
mod tests {
    use super::*;
    use tera::Context;

    #[test]
    fn zola_filters_work() {
        let mut tera = Tera::default();
        register(&mut tera, Arc::new(Config::with_base_url("https://ex.org")));
        let out = tera
            .render_str(
                "{{ 'a *b*' | markdown(inline=true) | safe }}|{{ 'hé' | base64_encode }}|{{ 'aMOp' | base64_decode }}|{{ 'a1b22' | regex_replace(pattern='[0-9]+', rep='#') }}|{{ 1234567 | num_format(locale='fr') }}",
                &Context::new(),
            )
            .unwrap();
        assert_eq!(out, "a <em>b</em>|aMOp|hé|a#b#|1\u{202f}234\u{202f}567");
    }
}
