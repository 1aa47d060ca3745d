//! Code generation: the function as written beside its record/replay version, for the
//! runtime crate's `select!` to choose from.

use crate::function::Function;
use crate::options::Options;
use crate::shape::{Output, Shape};
use crate::source_hash::source_hash;
use proc_macro2::{Span, TokenStream};
use quote::{quote, quote_spanned};
use syn::ext::IdentExt;
use syn::{Ident, ReturnType};

pub(crate) fn cached_stub(attr: TokenStream, item: TokenStream) -> TokenStream {
    match try_expand(&attr, &item) {
        Ok(expanded) => expanded,
        // The function as written beside the error, so that the error is the only one.
        Err(error) => {
            let error = error.to_compile_error();
            quote!(#error #item)
        }
    }
}

fn try_expand(attr: &TokenStream, item: &TokenStream) -> syn::Result<TokenStream> {
    let options = Options::parse(attr.clone())?;
    let function: Function = syn::parse2(item.clone()).map_err(|error| {
        let message = format!("#[cached_stub] goes on a function with a body: {error}");
        syn::Error::new(error.span(), message)
    })?;
    let shape = Shape::of(&function, &options)?;
    let stubbed = stubbed(&function, &shape, &options, &source_hash(attr, item));
    Ok(quote! {
        ::cached_stubs::__private::select! {
            original { #item }
            stubbed { #stubbed }
        }
    })
}

/// The function with its body wrapped: look the call up, then replay, or run the original
/// body (unchanged, in a closure or an async block, so `return` and `?` keep their meaning)
/// and hand its result over for recording.
fn stubbed(
    function: &Function,
    shape: &Shape,
    options: &Options,
    source_hash: &str,
) -> TokenStream {
    let Function {
        outer_attrs,
        inner_attrs,
        vis,
        sig,
        block,
    } = function;
    let private = quote!(::cached_stubs::__private);
    // Our locals resolve at the macro's definition site: the user's body can't see them.
    let [site, step, run, output] = ["site", "step", "run", "output"]
        .map(|name| Ident::new(&format!("__cached_stubs_{name}"), Span::mixed_site()));

    let function_name = sig.ident.unraw().to_string();
    let folder_name = options
        .name
        .as_ref()
        .map_or(function_name.clone(), |name| name.value());
    let dir = match &options.dir {
        Some(dir) => quote!(::core::option::Option::Some(#dir)),
        None => quote!(::core::option::Option::None),
    };
    let shape_type = match shape.output {
        Output::Plain => quote!(#private::Plain),
        Output::Fallible => quote!(#private::Fallible),
    };
    let args = shape.key_args.iter().map(|arg| {
        let (name, value) = (&arg.name, &arg.value);
        quote_spanned!(arg.span=> #private::arg(#name, &#value))
    });
    let return_type = match &sig.output {
        ReturnType::Default => quote!(()),
        ReturnType::Type(_, ty) => quote!(#ty),
    };
    let real_call = if shape.is_async {
        // The never-taken `return` gives the block its type before the body is checked, as
        // in tracing-attributes: inference inside the body works as in the original.
        quote!(async move {
            #[allow(unreachable_code, clippy::diverging_sub_expression, clippy::empty_loop)]
            if false {
                let #output: #return_type = loop {};
                return #output;
            }
            #block
        }
        .await)
    } else {
        quote!((move || -> #return_type #block)())
    };

    quote! {
        #(#outer_attrs)*
        #vis #sig {
            #(#inner_attrs)*
            let #site: &'static #private::Site = {
                static SITE: #private::Site = #private::Site::new(
                    ::core::concat!(::core::module_path!(), "::", #function_name),
                    ::core::module_path!(),
                    #folder_name,
                    #source_hash,
                    #dir,
                    ::core::env!("CARGO_MANIFEST_DIR"),
                );
                &SITE
            };
            // Bound before the `match`, so the borrowed arguments are gone before any await.
            let #step = #private::lookup::<#shape_type, _>(#site, &[#(#args),*]);
            match #step {
                #private::Step::Replay(#output) => #output,
                #private::Step::Run(#run) => #run.finish(#real_call),
            }
        }
    }
}
