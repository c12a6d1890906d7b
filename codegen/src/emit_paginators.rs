//! `paginators.rs` of the generated crate, from botocore's `paginators-1.json`, in the shape of
//! aws-sdk-rust: `client.op().member(v).into_paginator()` → `{Op}Paginator<C>` with `page_size(n)`
//! (the `limit_key`), `send()` (a stream of pages, or a blocking iterator) and `items().send()`
//! (the `result_key` items). Each page's request is the input as set, with the `input_token`
//! member set from the previous page's `output_token`; the runtime's `PaginationStream`/`PageIter`
//! fetch lazily and stop at an absent, empty or repeated token.
//!
//! Supported: a single member name for each of `input_token`, `output_token`, `result_key` and
//! `limit_key`. Lists of tokens or result keys, JMESPath paths, `more_results` and anything else
//! fail generation with a message (`non_aggregate_keys` only concerns botocore's full-result
//! merging and is ignored).

use crate::ir::{Ir, MemberDef, StructDef};
use crate::model::ShapeKind;
use crate::names;
use crate::Model;
use proc_macro2::TokenStream;
use quote::{format_ident, quote};
use serde_json::Value;

const KNOWN_KEYS: [&str; 5] = ["input_token", "output_token", "limit_key", "result_key", "non_aggregate_keys"];

/// `None` when the model has no paginators.
pub fn emit(model: &Model, ir: &Ir) -> Result<Option<TokenStream>, String> {
    let Some(doc) = &model.paginators else { return Ok(None) };
    let pagination =
        doc.get("pagination").and_then(Value::as_object).ok_or("paginators-1.json has no `pagination` object")?;
    if pagination.is_empty() {
        return Ok(None);
    }
    let mut out = TokenStream::new();
    for (op_name, config) in pagination {
        let paginator = emit_one(ir, op_name, config).map_err(|e| format!("paginator of `{op_name}`: {e}"))?;
        out.extend(crate::ir::gated(&ir.op_gate(op_name), paginator));
    }
    Ok(Some(out))
}

/// A single member name: botocore also allows lists and JMESPath expressions, which are not supported.
fn member_key<'a>(config: &'a Value, key: &str) -> Result<Option<&'a str>, String> {
    match config.get(key) {
        None => Ok(None),
        Some(Value::String(name))
            if !name.is_empty() && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') =>
        {
            Ok(Some(name))
        }
        Some(other) => Err(format!("`{key}` {other} is not supported: only a single member name is")),
    }
}

fn find_member<'a, 'm>(def: &'a StructDef<'m>, name: &str, side: &str) -> Result<&'a MemberDef<'m>, String> {
    def.members.iter().find(|m| m.name == name).ok_or_else(|| format!("the {side} has no member `{name}`"))
}

fn struct_of<'a, 'm>(ir: &'a Ir<'m>, op_name: &str, output: bool) -> Result<&'a StructDef<'m>, String> {
    let side = if output { "output" } else { "input" };
    let op = ir.model.operations.get(op_name).ok_or("the operation is not in the model")?;
    let shape = if output { &op.output } else { &op.input };
    let shape = shape.as_ref().ok_or_else(|| format!("the operation has no {side}"))?;
    ir.struct_def(&shape.shape).ok_or_else(|| format!("the {side} `{}` is not generated", shape.shape))
}

fn emit_one(ir: &Ir, op_name: &str, config: &Value) -> Result<TokenStream, String> {
    let object = config.as_object().ok_or("not an object")?;
    if let Some(key) = object.keys().find(|k| !KNOWN_KEYS.contains(&k.as_str())) {
        return Err(format!("`{key}` is not supported (only {})", KNOWN_KEYS.join(", ")));
    }
    let required = |key: &str| member_key(config, key)?.ok_or_else(|| format!("no `{key}`"));
    let input_token = required("input_token")?;
    let output_token = required("output_token")?;
    let result_key = required("result_key")?;
    let limit_key = member_key(config, "limit_key")?;

    let input = struct_of(ir, op_name, false)?;
    let output = struct_of(ir, op_name, true)?;
    let string_member = |def: &StructDef, name: &str, side: &str| -> Result<(), String> {
        let m = find_member(def, name, side)?;
        let shape = ir.shape(m.target);
        if shape.kind != ShapeKind::String || shape.enum_values.is_some() {
            return Err(format!("token member `{name}` of the {side} is not a string"));
        }
        Ok(())
    };
    string_member(input, input_token, "input")?;
    string_member(output, output_token, "output")?;
    let set_token = format_ident!("set_{}", find_member(input, input_token, "input")?.stem);
    let out_token = crate::emit_types::format_ident_raw(&find_member(output, output_token, "output")?.field);
    let items_member = find_member(output, result_key, "output")?;
    let items_shape = ir.shape(items_member.target);
    if items_shape.kind != ShapeKind::List {
        return Err(format!("`result_key` `{result_key}` is not a list"));
    }
    let item_ty = ir.rust_type(&crate::ir::list_member(items_shape).shape);
    let items_field = crate::emit_types::format_ident_raw(&items_member.field);

    let type_name = names::type_name(op_name);
    let op_type = format_ident!("{}", type_name);
    // Pages and items fail with the operation's SdkError, as aws-sdk-rust's paginators do.
    let op_error = quote!(<super::operation::#op_type as crate::runtime::Operation>::Error);
    let sdk_error = quote!(crate::runtime::SdkError<#op_error>);
    let into_sdk_error = quote! {
        |e| crate::runtime::into_sdk_error(e, <super::operation::#op_type as crate::runtime::Operation>::decode_error)
    };
    let fluent = format_ident!("{}FluentBuilder", type_name);
    let paginator = format_ident!("{}Paginator", type_name);
    let items = format_ident!("{}PaginatorItems", type_name);
    let input_path = crate::ir::path_in(input.home, &input.rust_name);
    let input_builder = crate::ir::path_in(input.home, &format!("{}Builder", input.rust_name));
    let output_path = crate::ir::path_in(output.home, &output.rust_name);
    let snake = names::snake(op_name);
    let page_input = format_ident!("{}_page_input", snake);
    let next_token = format_ident!("{}_next_token", snake);
    let page_items = format_ident!("{}_items", snake);

    let page_size = match limit_key {
        Some(limit_key) => {
            let m = find_member(input, limit_key, "input")?;
            let shape = ir.shape(m.target);
            if !matches!(shape.kind, ShapeKind::Integer | ShapeKind::Long) {
                return Err(format!("`limit_key` `{limit_key}` is not an integer"));
            }
            let ty = ir.rust_type(m.target);
            let set = format_ident!("set_{}", m.stem);
            let doc = format!("Asks for at most `limit` items per page: sets `{limit_key}` on every request.");
            quote! {
                #[doc = #doc]
                pub fn page_size(mut self, limit: #ty) -> Self {
                    self.inner = self.inner.#set(::std::option::Option::Some(limit));
                    self
                }
            }
        }
        None => quote!(),
    };

    let into_doc = format!(
        "Pages of `{op_name}`: sends this input once per page, with `{input_token}` set from the previous page's `{output_token}` (see [`{paginator}`])."
    );
    let paginator_doc = format!(
        "Paginator of `{op_name}`: each request is the input as set, with `{input_token}` set from the previous \
         page's `{output_token}`; pages are fetched lazily, one at a time, as they are read, and the listing ends \
         at an absent, empty or repeated token. `send()` gives the pages, `items().send()` the `{result_key}` items."
    );
    let items_doc = format!("The `{result_key}` items of every page of `{op_name}`, in order.");
    let send_doc = "Starts the listing: a stream of pages; an error is yielded once and ends it.";
    let blocking_send_doc = "Starts the listing: an iterator of pages; an error is yielded once and ends it.";
    let items_send_doc = "Starts the listing: a stream of items; an error is yielded once and ends it.";
    let blocking_items_send_doc = "Starts the listing: an iterator of items; an error is yielded once and ends it.";
    Ok(quote! {
        impl<C> super::client::#fluent<C> {
            #[doc = #into_doc]
            pub fn into_paginator(self) -> #paginator<C> {
                #paginator { client: self.client, inner: self.inner }
            }
        }

        #[doc = #paginator_doc]
        #[derive(Debug, Clone)]
        pub struct #paginator<C = crate::runtime::client::Client> {
            client: C,
            inner: #input_builder,
        }

        impl<C> #paginator<C> {
            #page_size
            /// The items of the pages instead of the pages.
            pub fn items(self) -> #items<C> {
                #items(self)
            }
        }

        impl #paginator<crate::runtime::client::Client> {
            #[doc = #send_doc]
            pub fn send(self) -> crate::runtime::paginate::PaginationStream<#output_path, #sdk_error> {
                let Self { client, inner } = self;
                crate::runtime::paginate::PaginationStream::pages(
                    move |token| {
                        let client = client.clone();
                        let input = #page_input(&inner, token);
                        ::std::boxed::Box::pin(async move {
                            client.send_operation::<super::operation::#op_type>(input).await.map_err(#into_sdk_error)
                        })
                    },
                    #next_token,
                )
            }
        }

        #[cfg(feature = "blocking")]
        impl #paginator<crate::runtime::blocking::Client> {
            #[doc = #blocking_send_doc]
            // The error is the operation's SdkError, as aws-sdk-rust's: large, and rare.
            #[allow(clippy::result_large_err)]
            pub fn send(self) -> crate::runtime::paginate::PageIter<#output_path, #sdk_error> {
                let Self { client, inner } = self;
                crate::runtime::paginate::PageIter::pages(
                    move |token| {
                        client
                            .send_operation::<super::operation::#op_type>(#page_input(&inner, token))
                            .map_err(#into_sdk_error)
                    },
                    #next_token,
                )
            }
        }

        #[doc = #items_doc]
        #[derive(Debug, Clone)]
        pub struct #items<C = crate::runtime::client::Client>(#paginator<C>);

        impl #items<crate::runtime::client::Client> {
            #[doc = #items_send_doc]
            pub fn send(self) -> crate::runtime::paginate::PaginationStream<#item_ty, #sdk_error> {
                self.0.send().items(#page_items)
            }
        }

        #[cfg(feature = "blocking")]
        impl #items<crate::runtime::blocking::Client> {
            #[doc = #blocking_items_send_doc]
            pub fn send(self) -> crate::runtime::paginate::PageIter<#item_ty, #sdk_error> {
                self.0.send().items(#page_items)
            }
        }

        /// The request of a page: the input as set, starting at `token` after the first page.
        fn #page_input(inner: &#input_builder, token: ::std::option::Option<::std::string::String>) -> #input_path {
            match token {
                ::std::option::Option::Some(token) => inner.clone().#set_token(::std::option::Option::Some(token)).build(),
                ::std::option::Option::None => inner.clone().build(),
            }
        }

        fn #next_token(page: &#output_path) -> ::std::option::Option<::std::string::String> {
            page.#out_token.clone()
        }

        fn #page_items(page: #output_path) -> ::std::vec::Vec<#item_ty> {
            page.#items_field.unwrap_or_default()
        }
    })
}

#[cfg(test)]
mod tests {
    use crate::model::ServiceModel;
    use serde_json::{json, Value};

    const MODEL: &str = r#"{
      "metadata": {"apiVersion": "2020-01-01", "protocol": "ec2", "endpointPrefix": "widgets"},
      "operations": {"ListWidgets": {"name": "ListWidgets", "http": {"method": "POST", "requestUri": "/"},
        "input": {"shape": "ListWidgetsRequest"}, "output": {"shape": "ListWidgetsResult"}}},
      "shapes": {
        "ListWidgetsRequest": {"type": "structure", "members": {"Marker": {"shape": "String"},
          "Limit": {"shape": "Integer"}, "Flag": {"shape": "String"}}},
        "ListWidgetsResult": {"type": "structure", "members": {"NextMarker": {"shape": "String"},
          "Widgets": {"shape": "WidgetList"}, "Count": {"shape": "Integer"}}},
        "WidgetList": {"type": "list", "member": {"shape": "Widget", "locationName": "item"}},
        "Widget": {"type": "structure", "members": {"Name": {"shape": "String"}}},
        "String": {"type": "string"}, "Integer": {"type": "integer"}
      }
    }"#;

    fn generate(config: Value) -> Result<String, String> {
        let mut model = crate::Model::service_only(ServiceModel::from_json(MODEL)?);
        model.paginators = Some(json!({"pagination": {"ListWidgets": config}}));
        let files = crate::generate(&model)?;
        Ok(files.into_iter().find(|f| f.path == "paginators.rs").map(|f| f.contents).unwrap_or_default())
    }

    fn config() -> Value {
        json!({"input_token": "Marker", "output_token": "NextMarker", "limit_key": "Limit", "result_key": "Widgets"})
    }

    #[test]
    fn a_paginator_follows_the_model_names() {
        let source = generate(config()).unwrap();
        for wanted in [
            "pub fn into_paginator(self) -> ListWidgetsPaginator<C>",
            "pub fn page_size(mut self, limit: i32) -> Self",
            "self.inner = self.inner.set_limit(::std::option::Option::Some(limit));",
            "inner.clone().set_marker(::std::option::Option::Some(token)).build()",
            "page.next_marker.clone()",
            "page.widgets.unwrap_or_default()",
            "crate::runtime::paginate::PaginationStream<\n        super::types::Widget,\n        crate::runtime::SdkError<\n            <super::operation::ListWidgets as crate::runtime::Operation>::Error,\n        >,\n    >",
        ] {
            assert!(source.contains(wanted), "no `{wanted}` in\n{source}");
        }
        let mut no_limit = config();
        no_limit.as_object_mut().unwrap().remove("limit_key");
        assert!(!generate(no_limit).unwrap().contains("page_size"), "no limit_key, no page_size");
    }

    #[test]
    fn unsupported_paginators_fail_generation_with_their_name() {
        let with = |key: &str, value: Value| {
            let mut c = config();
            c[key] = value;
            c
        };
        for (config, wanted) in [
            (with("result_key", json!(["Widgets", "Count"])), "`result_key` [\"Widgets\",\"Count\"] is not supported"),
            (with("output_token", json!("Page.Next")), "`output_token` \"Page.Next\" is not supported"),
            (with("more_results", json!("IsTruncated")), "`more_results` is not supported"),
            (with("result_key", json!("Count")), "`result_key` `Count` is not a list"),
            (with("limit_key", json!("Flag")), "`limit_key` `Flag` is not an integer"),
            (with("input_token", json!("Nope")), "the input has no member `Nope`"),
            (with("output_token", json!("Count")), "token member `Count` of the output is not a string"),
        ] {
            let error = generate(config.clone()).expect_err(&config.to_string());
            assert!(error.starts_with("paginator of `ListWidgets`: "), "{error}");
            assert!(error.contains(wanted), "{config}: {error}");
        }
    }
}
