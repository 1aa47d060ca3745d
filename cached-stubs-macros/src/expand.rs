//! Code generation: the function as written beside its record/replay version, for the
//! runtime crate's `select!` to choose from.

use crate::options::Options;
use crate::shape::{Output, Shape};
use crate::source_hash::source_hash;
use proc_macro2::{Span, TokenStream};
use quote::{quote, quote_spanned};
use syn::ext::IdentExt;
use syn::{Ident, ItemFn, ReturnType};

pub(crate) fn cached_stub(attr: TokenStream, item: TokenStream) -> TokenStream {
    match try_expand(attr, item.clone()) {
        Ok(expanded) => expanded,
        // The function as written beside the error, so that the error is the only one.
        Err(error) => {
            let error = error.to_compile_error();
            quote!(#error #item)
        }
    }
}

fn try_expand(attr: TokenStream, item: TokenStream) -> syn::Result<TokenStream> {
    let options = Options::parse(attr.clone())?;
    let function: ItemFn = syn::parse2(item.clone()).map_err(|error| {
        syn::Error::new(
            error.span(),
            "#[cached_stub] goes on a function with a body",
        )
    })?;
    let shape = Shape::of(&function, &options)?;
    let stubbed = stubbed(&function, &shape, &options, &source_hash(&attr, &item));
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
fn stubbed(function: &ItemFn, shape: &Shape, options: &Options, source_hash: &str) -> TokenStream {
    let ItemFn {
        attrs,
        vis,
        sig,
        block,
        ..
    } = function;
    let private = quote!(::cached_stubs::__private);
    // Our locals resolve at the macro's definition site: the user's body can't see them.
    let site = Ident::new("__cached_stubs_site", Span::mixed_site());
    let run = Ident::new("__cached_stubs_run", Span::mixed_site());
    let output = Ident::new("__cached_stubs_output", Span::mixed_site());

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
        let (name, binding) = (&arg.name, &arg.binding);
        quote_spanned!(arg.span=> #private::arg(#name, &#binding))
    });
    let return_type = match &sig.output {
        ReturnType::Default => quote!(()),
        ReturnType::Type(_, ty) => quote!(#ty),
    };
    let real_call = if shape.is_async {
        quote!(async move {
            let #output: #return_type = #block;
            #output
        }
        .await)
    } else {
        quote!((move || -> #return_type #block)())
    };

    quote! {
        #(#attrs)*
        #vis #sig {
            static #site: #private::Site = #private::Site::new(
                ::core::concat!(::core::module_path!(), "::", #function_name),
                ::core::module_path!(),
                #folder_name,
                #source_hash,
                #dir,
                ::core::env!("CARGO_MANIFEST_DIR"),
            );
            match #private::lookup::<#shape_type, _>(&#site, &[#(#args),*]) {
                #private::Step::Replay(#output) => #output,
                #private::Step::Run(#run) => #run.finish(#real_call),
            }
        }
    }
}
