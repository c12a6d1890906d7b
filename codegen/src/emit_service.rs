//! The service facts (`ServiceMetadata`): each operation points at its service through
//! `Operation::SERVICE`, and the crate root hands the main one to `ConfigBuilder::for_service`.

use crate::Model;
use proc_macro2::TokenStream;
use quote::quote;

/// `fn resolve_endpoint(&EndpointInputs) -> Result<String, String>` for the runtime's config.
/// With a rule set: its built-in parameters (`AWS::Region`, `AWS::UseFIPS`, `AWS::UseDualStack`,
/// `SDK::Endpoint`) are filled from the configuration, as the AWS SDKs do, and the generated
/// resolver decides. Without one, only a configured endpoint URL can be used.
pub fn emit_config_adapter(model: &Model) -> Result<TokenStream, String> {
    let Some(rule_set) = &model.endpoint_rule_set else {
        return Ok(quote! {
            fn resolve_endpoint(
                inputs: &crate::runtime::EndpointInputs,
            ) -> ::std::result::Result<::std::string::String, ::std::string::String> {
                match &inputs.endpoint_url {
                    ::std::option::Option::Some(url) => ::std::result::Result::Ok(url.clone()),
                    ::std::option::Option::None => ::std::result::Result::Err(
                        "the model has no endpoint rule set: set an endpoint URL".to_string(),
                    ),
                }
            }
        });
    };
    let parameters = rule_set
        .get("parameters")
        .and_then(|p| p.as_object())
        .ok_or("the endpoint rule set has no `parameters` object")?;
    let mut assignments = TokenStream::new();
    for (name, parameter) in parameters {
        let Some(built_in) = parameter.get("builtIn").and_then(|b| b.as_str()) else { continue };
        let field = crate::emit_types::format_ident_raw(&crate::names::field(name));
        let has_default = parameter.get("default").is_some();
        let value = match built_in {
            "AWS::Region" => quote!(::std::option::Option::Some(inputs.region.clone())),
            "SDK::Endpoint" => quote!(inputs.endpoint_url.clone()),
            "AWS::UseFIPS" if has_default => quote!(inputs.use_fips),
            "AWS::UseFIPS" => quote!(::std::option::Option::Some(inputs.use_fips)),
            "AWS::UseDualStack" if has_default => quote!(inputs.use_dual_stack),
            "AWS::UseDualStack" => quote!(::std::option::Option::Some(inputs.use_dual_stack)),
            // Other built-ins (global endpoints, account ids) keep the rule set's defaults.
            _ => continue,
        };
        assignments.extend(quote!(#field: #value,));
    }
    Ok(quote! {
        fn resolve_endpoint(
            inputs: &crate::runtime::EndpointInputs,
        ) -> ::std::result::Result<::std::string::String, ::std::string::String> {
            let params = endpoints::EndpointParams { #assignments ..::std::default::Default::default() };
            endpoints::resolve_endpoint(&params).map_err(|e| e.message().to_string())
        }
    })
}
