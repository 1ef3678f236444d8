//! Tera contexts that already hold `config`, reused from page to page.
//!
//! Every page's context has the site's configuration for its language: a
//! tree of several hundred values (the translations of every language
//! above all). Tera 1 renders from an owned [`Context`], so building one
//! per page copied that tree into it and freed it afterwards, about a tenth
//! of a national site's rendering. Here a context holding `config` is kept
//! per thread and language: a page's own fields are moved into it for the
//! render and taken out again after.

use std::sync::Mutex;

use serde_json::{Map, Value};
use tera::Context;

use crate::config::Config;

/// Contexts holding `config` for one language, free to be borrowed.
#[derive(Default)]
pub struct ConfigContexts {
    free: Mutex<Vec<(String, Context)>>,
}

/// A context borrowed from [`ConfigContexts`] with a page's fields in it;
/// the fields are taken out and the context given back when it drops.
pub struct Lent<'a> {
    pool: &'a ConfigContexts,
    lang: String,
    context: Option<Context>,
    keys: Vec<String>,
}

impl ConfigContexts {
    /// A context with `config` for `lang` and `fields` (a `config` among
    /// them replaces the site's for this render).
    pub fn lend(&self, config: &Config, lang: &str, fields: Map<String, Value>) -> Lent<'_> {
        let reused = {
            let mut free = self.free.lock().unwrap_or_else(|e| e.into_inner());
            free.iter()
                .position(|(l, _)| l == lang)
                .map(|at| free.swap_remove(at).1)
        };
        let mut context = reused.unwrap_or_else(|| {
            let mut fresh = Map::with_capacity(1);
            fresh.insert("config".into(), config.serialized(lang).clone());
            Context::from_value(Value::Object(fresh)).expect("a map is a context")
        });
        let keys = fields.keys().cloned().collect();
        // Moved in, not copied: `extend` appends the map's entries.
        context.extend(Context::from_value(Value::Object(fields)).expect("a map is a context"));
        Lent {
            pool: self,
            lang: lang.to_string(),
            context: Some(context),
            keys,
        }
    }
}

impl Lent<'_> {
    pub fn context(&self) -> &Context {
        self.context.as_ref().expect("lent until dropped")
    }
}

impl Drop for Lent<'_> {
    fn drop(&mut self) {
        let Some(mut context) = self.context.take() else {
            return;
        };
        if self.keys.iter().any(|k| k == "config") {
            return;
        }
        for key in &self.keys {
            context.remove(key);
        }
        let mut free = self.pool.free.lock().unwrap_or_else(|e| e.into_inner());
        free.push((std::mem::take(&mut self.lang), context));
    }
}
