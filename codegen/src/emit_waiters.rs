//! `waiters.rs` of the generated crate, from botocore's `waiters-2.json`: per waiter,
//! `client.wait_until_{name}()` returning a fluent builder with the operation's input setters and
//! `wait(max_wait)`. The acceptors' JMESPath expressions are compiled into Rust over the output
//! types here (see [`jmespath`]); the polling loop is the runtime's (`runtime::waiter`), with
//! botocore's semantics: a fixed `delay` between attempts, at most `maxAttempts` attempts.

#[path = "jmespath.rs"]
mod jmespath;

use crate::ir::Ir;
use crate::names;
use crate::Model;
use jmespath::{Compiler, Ty, Val};
use proc_macro2::TokenStream;
use quote::{format_ident, quote};
use serde_json::Value;

/// One acceptor of a waiter, validated.
struct Acceptor<'a> {
    matcher: &'a str,
    argument: Option<&'a str>,
    expected: &'a Value,
    state: &'a str,
}

/// `None` when the model has no waiters.
pub fn emit(model: &Model, ir: &Ir) -> Result<Option<TokenStream>, String> {
    let Some(doc) = &model.waiters else { return Ok(None) };
    let version = doc.get("version").and_then(Value::as_u64);
    if version != Some(2) {
        return Err(format!("waiters-2.json: version {version:?} is not supported (only version 2)"));
    }
    let waiters = doc.get("waiters").and_then(Value::as_object).ok_or("waiters-2.json has no `waiters` object")?;
    if waiters.is_empty() {
        return Ok(None);
    }
    let mut declarations = TokenStream::new();
    let mut methods = TokenStream::new();
    let mut items = TokenStream::new();
    for (name, waiter) in waiters {
        let waiter = emit_waiter(ir, name, waiter).map_err(|e| format!("waiter `{name}`: {e}"))?;
        declarations.extend(waiter.declaration);
        methods.extend(waiter.method);
        items.extend(waiter.items);
    }
    Ok(Some(quote! {
        pub use crate::runtime::waiter::{WaiterError, WaiterErrorKind, WaiterOutcome};

        /// The `wait_until_…` methods of the async and the blocking client, as aws-sdk-rust's
        /// `client::Waiters`: `use ec2_sg::client::Waiters;` brings them into scope.
        pub trait Waiters: ::std::marker::Sized {
            #declarations
        }

        impl Waiters for crate::runtime::client::Client {
            #methods
        }

        #[cfg(feature = "blocking")]
        impl Waiters for crate::runtime::blocking::Client {
            #methods
        }

        #items
    }))
}

/// What one waiter adds: a method of the `Waiters` trait (declared, and defined for each
/// client) and the items behind it, all compiled only when its operation is.
struct WaiterTokens {
    declaration: TokenStream,
    method: TokenStream,
    items: TokenStream,
}

fn emit_waiter(ir: &Ir, name: &str, waiter: &Value) -> Result<WaiterTokens, String> {
    let field = |key: &str| waiter.get(key).ok_or_else(|| format!("no `{key}`"));
    let op_name = field("operation")?.as_str().ok_or("`operation` is not a string")?;
    let op = ir.model.operations.get(op_name).ok_or_else(|| format!("operation `{op_name}` is not in the model"))?;
    let delay = field("delay")?.as_u64().ok_or("`delay` is not a whole number of seconds")?;
    let max_attempts = field("maxAttempts")?.as_u64().ok_or("`maxAttempts` is not a whole number")?;
    let max_attempts = u32::try_from(max_attempts).ok().filter(|n| *n >= 1).ok_or("`maxAttempts` must be from 1")?;
    let acceptors = field("acceptors")?.as_array().ok_or("`acceptors` is not a list")?;
    if acceptors.is_empty() {
        return Err("no acceptors".into());
    }
    let acceptors = acceptors.iter().enumerate().map(|(i, a)| acceptor(a).map_err(|e| format!("acceptor {i}: {e}")));
    let acceptors = acceptors.collect::<Result<Vec<_>, _>>()?;

    let (input_name, input_home) = ir.io_location(op_name, false).ok_or("the operation has no input type")?;
    let (output_name, output_home) = ir.io_location(op_name, true).ok_or("the operation has no output type")?;
    let input = ir.structs.iter().find(|s| s.rust_name == input_name).ok_or("the operation has no input type")?;
    let input_builder = crate::ir::path_in(input_home, &format!("{input_name}Builder"));
    let output_path = crate::ir::path_in(output_home, output_name);
    let op_type = format_ident!("{}", names::type_name(op_name));

    // The acceptors, compiled.
    let compiler = Compiler::new(ir);
    let output_shape = op.output.as_ref().map(|r| r.shape.as_str());
    let mut checks = TokenStream::new();
    let mut doc_lines = Vec::new();
    for (i, a) in acceptors.iter().enumerate() {
        let state = match a.state {
            "success" => quote!(Success),
            "failure" => quote!(Failure),
            "retry" => quote!(Retry),
            other => return Err(format!("acceptor {i}: state `{other}` is not one of success, failure, retry")),
        };
        let (check, doc) = compile_acceptor(&compiler, output_shape, a).map_err(|e| format!("acceptor {i}: {e}"))?;
        doc_lines.push(format!("- {} {doc};", a.state));
        checks.extend(quote! {
            if #check {
                return ::std::option::Option::Some(crate::runtime::waiter::AcceptorState::#state);
            }
        });
    }

    let snake = names::snake(name);
    let method = format_ident!("wait_until_{}", snake);
    let builder = format_ident!("{}FluentBuilder", names::type_name(name));
    let acceptors_fn = format_ident!("{}_acceptors", snake);
    let spec = format_ident!("{}", snake.to_ascii_uppercase());
    let schedule = format!("every {delay} s, at most {max_attempts} attempts");
    let method_doc = format!(
        "Starts the `{name}` waiter: set the `{op_name}` input, then `wait(max_wait)`; polls {schedule} (see [`{builder}`])."
    );
    let doc = format!(
        "Waiter `{name}`: calls `{op_name}` with the input set here {schedule}, until an acceptor decides.\n\n\
         Acceptors, in order:\n{}\n\n\
         A successful answer no acceptor matches is polled again; an error no acceptor matches ends the wait \
         ([`WaiterErrorKind::OperationFailed`]). The wait also ends, with the last answer, after the last \
         attempt ([`WaiterErrorKind::MaxAttemptsExceeded`]) or when the next attempt would start after \
         `max_wait` ([`WaiterErrorKind::ExceededMaxWait`]). Each attempt is one call with the client's own retries.",
        doc_lines.join("\n")
    );
    let wait_doc = format!(
        "Polls `{op_name}` {schedule}, and at most until `max_wait` has passed, until an acceptor says success \
         (the final answer) or failure (an error). Sleeps with the client's async sleep unless `sleep_impl` set one."
    );
    let blocking_wait_doc = format!(
        "Polls `{op_name}` {schedule}, and at most until `max_wait` has passed, until an acceptor says success \
         (the final answer) or failure (an error). Sleeps the thread unless `sleep_impl` set another sleep."
    );
    let setters: TokenStream = input.members.iter().map(|m| crate::emit_client::delegate(ir, m)).collect();
    let gate = ir.op_gate(op_name);
    let cfg = crate::ir::cfg(&gate);
    let declaration = quote! {
        #cfg
        #[doc = #method_doc]
        fn #method(&self) -> #builder<Self>;
    };
    let method = quote! {
        #cfg
        fn #method(&self) -> #builder<Self> {
            #builder::new(self.clone())
        }
    };
    let item = quote! {
        const #spec: crate::runtime::waiter::WaiterSpec = crate::runtime::waiter::WaiterSpec {
            name: #name,
            operation: #op_name,
            delay: ::std::time::Duration::from_secs(#delay),
            max_attempts: #max_attempts,
        };

        // The compiled JMESPath parenthesizes every step, so a whole expression may be wrapped once more.
        #[allow(unused_parens)]
        fn #acceptors_fn(
            result: &::std::result::Result<#output_path, crate::runtime::Error>,
        ) -> ::std::option::Option<crate::runtime::waiter::AcceptorState> {
            #checks
            ::std::option::Option::None
        }

        #[doc = #doc]
        #[derive(Debug, Clone)]
        pub struct #builder<C = crate::runtime::client::Client> {
            pub(crate) client: C,
            pub(crate) inner: #input_builder,
            pub(crate) sleep: ::std::option::Option<crate::runtime::waiter::WaiterSleep>,
        }

        impl<C> #builder<C> {
            fn new(client: C) -> Self {
                Self { client, inner: ::std::default::Default::default(), sleep: ::std::option::Option::None }
            }
            /// The input built so far.
            pub fn as_input(&self) -> &#input_builder {
                &self.inner
            }
            /// The waiter's delay between attempts and its maximum number of attempts, from the model.
            pub fn spec(&self) -> &'static crate::runtime::waiter::WaiterSpec {
                &#spec
            }
            #setters
        }

        impl #builder<crate::runtime::client::Client> {
            /// Sleeps between attempts with this instead of the client's async sleep.
            pub fn sleep_impl(mut self, sleep: impl crate::runtime::http::AsyncSleep + 'static) -> Self {
                self.sleep = ::std::option::Option::Some(crate::runtime::waiter::WaiterSleep::asynchronous(sleep));
                self
            }
            #[doc = #wait_doc]
            pub async fn wait(
                self,
                max_wait: ::std::time::Duration,
            ) -> ::std::result::Result<
                crate::runtime::waiter::WaiterOutcome<#output_path>,
                crate::runtime::waiter::WaiterError<#output_path>,
            > {
                let Self { client, inner, sleep } = self;
                let sleep = crate::runtime::waiter::async_sleep(&client, sleep);
                let attempt = || client.send_operation::<super::operation::#op_type>(inner.clone().build());
                crate::runtime::waiter::wait_async(&#spec, max_wait, sleep, attempt, #acceptors_fn).await
            }
        }

        #[cfg(feature = "blocking")]
        impl #builder<crate::runtime::blocking::Client> {
            /// Sleeps between attempts with this instead of the thread's sleep.
            pub fn sleep_impl(mut self, sleep: impl crate::runtime::waiter::BlockingSleep + 'static) -> Self {
                self.sleep = ::std::option::Option::Some(crate::runtime::waiter::WaiterSleep::blocking(sleep));
                self
            }
            #[doc = #blocking_wait_doc]
            pub fn wait(
                self,
                max_wait: ::std::time::Duration,
            ) -> ::std::result::Result<
                crate::runtime::waiter::WaiterOutcome<#output_path>,
                crate::runtime::waiter::WaiterError<#output_path>,
            > {
                let Self { client, inner, sleep } = self;
                let attempt = || client.send_operation::<super::operation::#op_type>(inner.clone().build());
                crate::runtime::waiter::wait_blocking(&#spec, max_wait, sleep, attempt, #acceptors_fn)
            }
        }
    };
    Ok(WaiterTokens { declaration, method, items: crate::ir::gated(&gate, item) })
}

fn acceptor(a: &Value) -> Result<Acceptor<'_>, String> {
    let text = |key: &str| a.get(key).and_then(Value::as_str);
    let matcher = text("matcher").ok_or("no `matcher`")?;
    let state = text("state").ok_or("no `state`")?;
    let expected = a.get("expected").ok_or("no `expected`")?;
    let argument = text("argument");
    if a.get("argument").is_some() && argument.is_none() {
        return Err("`argument` is not a string".into());
    }
    Ok(Acceptor { matcher, argument, expected, state })
}

/// The condition of an acceptor over `result`, and a line of documentation.
fn compile_acceptor(
    compiler: &Compiler,
    output_shape: Option<&str>,
    a: &Acceptor,
) -> Result<(TokenStream, String), String> {
    let expected = a.expected;
    match a.matcher {
        "error" => match expected {
            // botocore: `true` accepts any error with a code, `false` an answer without error.
            Value::Bool(true) => {
                Ok((quote!(result.as_ref().is_err_and(|e| e.code().is_some())), "on any error".into()))
            }
            Value::Bool(false) => Ok((quote!(result.is_ok()), "on any successful answer".into())),
            Value::String(code) => Ok((
                quote!(result.as_ref().is_err_and(|e| e.code() == ::std::option::Option::Some(#code))),
                format!("on the error `{code}`"),
            )),
            other => Err(format!("the `error` matcher expects a code or a boolean, not `{other}`")),
        },
        "status" => {
            let status = expected
                .as_u64()
                .and_then(|s| u16::try_from(s).ok())
                .ok_or_else(|| format!("the `status` matcher expects an HTTP status, not `{expected}`"))?;
            // A successful answer is 200: the generated outputs do not keep the status.
            let success_is_200 = status == 200;
            let check = quote!(match result {
                ::std::result::Result::Ok(_) => #success_is_200,
                ::std::result::Result::Err(e) => e.http_status() == ::std::option::Option::Some(#status),
            });
            Ok((check, format!("on HTTP status {status}")))
        }
        "path" | "pathAll" | "pathAny" => {
            let argument = a.argument.ok_or_else(|| format!("the `{}` matcher has no `argument`", a.matcher))?;
            let shape = output_shape.ok_or("the operation has no output for a path to read")?;
            let ast = jmespath::parse(argument).map_err(|e| format!("JMESPath `{argument}`: {e}"))?;
            let root = Val::present(Ty::Struct(shape.to_string()), quote!(output));
            let value = compiler.compile(&ast, root).map_err(|e| format!("JMESPath `{argument}`: {e}"))?;
            let (test, what) = match a.matcher {
                "path" => (compiler.equals_literal(&value, expected), "is"),
                matcher => {
                    let Ty::List(item) = &value.ty else {
                        return Err(format!("`{matcher}` needs a list, but `{argument}` is a {}", value.ty.describe()));
                    };
                    let x = quote!(x);
                    let each = compiler.equals_nonnull(item, &x, expected);
                    let each = each.map_err(|e| format!("JMESPath `{argument}`: {e}"))?;
                    let code = &value.code;
                    let (all_or_any, what) =
                        if matcher == "pathAll" { (quote!(all), "all are") } else { (quote!(any), "any is") };
                    (
                        Ok(
                            quote!((#code).is_some_and(|list| !list.is_empty() && list.into_iter().#all_or_any(|x| #each))),
                        ),
                        what,
                    )
                }
            };
            let test = test.map_err(|e| format!("JMESPath `{argument}`: {e}"))?;
            let check = quote!(result.as_ref().is_ok_and(|output| #test));
            Ok((check, format!("when ``{argument} `` {what} `{expected}`")))
        }
        other => Err(format!("matcher `{other}` is not supported (path, pathAll, pathAny, status, error)")),
    }
}

#[cfg(test)]
mod tests {
    use crate::model::ServiceModel;
    use serde_json::{json, Value};

    fn generate(waiters: Value) -> Result<String, String> {
        let mut model = crate::Model::service_only(ServiceModel::from_json(super::jmespath::tests::MODEL)?);
        model.waiters = Some(waiters);
        let files = crate::generate(&model)?;
        Ok(files.into_iter().find(|f| f.path == "waiters.rs").map(|f| f.contents).unwrap_or_default())
    }

    fn waiter(acceptors: Value) -> Value {
        json!({"version": 2, "waiters": {"WidgetReady": {
            "operation": "ListWidgets", "delay": 2, "maxAttempts": 3, "acceptors": acceptors}}})
    }

    #[test]
    fn every_matcher_generates() {
        let source = generate(waiter(json!([
            {"matcher": "pathAll", "argument": "Widgets[].State", "expected": "on", "state": "success"},
            {"matcher": "pathAny", "argument": "Widgets[].State", "expected": "off", "state": "failure"},
            {"matcher": "path", "argument": "length(Widgets) == `0`", "expected": true, "state": "retry"},
            {"matcher": "path", "argument": "Widgets[0].Ready", "expected": false, "state": "retry"},
            {"matcher": "status", "expected": 500, "state": "retry"},
            {"matcher": "error", "expected": "Widget.NotFound", "state": "retry"},
            {"matcher": "error", "expected": true, "state": "failure"}
        ])))
        .unwrap();
        for wanted in [
            "fn wait_until_widget_ready(&self) -> WidgetReadyFluentBuilder<Self>;",
            "pub struct WidgetReadyFluentBuilder<C = crate::runtime::client::Client>",
            "delay: ::std::time::Duration::from_secs(2u64)",
            "max_attempts: 3u32",
            ".all(|x| x.as_str() == \"on\")",
            ".any(|x| x.as_str() == \"off\")",
            "Some(\"Widget.NotFound\")",
            "e.http_status() == ::std::option::Option::Some(500u16)",
            "pub fn ids(",
            "/// - failure when ``Widgets[].State `` any is `\"off\"`;",
        ] {
            assert!(source.contains(wanted), "no `{wanted}` in\n{source}");
        }
        assert_eq!(generate(json!({"version": 2, "waiters": {}})).unwrap(), "", "no waiters, no file");
    }

    #[test]
    fn unsupported_waiters_fail_generation_with_their_name() {
        let cases = [
            (json!({"version": 1, "waiters": {}}), "only version 2"),
            (
                waiter(json!([{"matcher": "regex", "expected": "x", "state": "success"}])),
                "matcher `regex` is not supported",
            ),
            (waiter(json!([{"matcher": "error", "expected": "x", "state": "maybe"}])), "state `maybe`"),
            (waiter(json!([])), "no acceptors"),
            (
                waiter(json!([{"matcher": "pathAll", "argument": "Count", "expected": 1, "state": "success"}])),
                "`pathAll` needs a list, but `Count` is a number",
            ),
            (
                waiter(json!([{"matcher": "path", "argument": "Widgets[0].Name", "expected": 3, "state": "success"}])),
                "a string can never equal `3`",
            ),
            (
                waiter(
                    json!([{"matcher": "path", "argument": "Widgets[?Ready]", "expected": true, "state": "success"}]),
                ),
                "JMESPath `Widgets[?Ready]`: a filter expression `[?…]` is not supported",
            ),
            (waiter(json!([{"matcher": "status", "expected": "ok", "state": "success"}])), "expects an HTTP status"),
            (
                json!({"version": 2, "waiters": {"W": {"operation": "Nope", "delay": 1, "maxAttempts": 1, "acceptors": []}}}),
                "waiter `W`: operation `Nope` is not in the model",
            ),
            (
                json!({"version": 2, "waiters": {"W": {"operation": "ListWidgets", "delay": 1, "maxAttempts": 0, "acceptors": []}}}),
                "`maxAttempts` must be from 1",
            ),
            (
                json!({"version": 2, "waiters": {"W": {"operation": "ListWidgets", "delay": 0.5, "maxAttempts": 2, "acceptors": []}}}),
                "`delay` is not a whole number",
            ),
        ];
        for (waiters, wanted) in cases {
            let error = generate(waiters.clone()).expect_err(&waiters.to_string());
            assert!(error.contains(wanted), "{waiters}: {error}");
        }
    }
}
