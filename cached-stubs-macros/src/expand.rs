//! Code generation: the function as written beside its record/replay version, for the
//! runtime crate's `select!` to choose from.

use crate::function::Function;
use crate::options::Options;
use crate::shape::{Kind, Output, Sequence, Shape};
use crate::source_hash::source_hash;
use proc_macro2::{Span, TokenStream, TokenTree};
use quote::{ToTokens, quote, quote_spanned};
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
    let stubbed = Expansion::new(&function, &shape).stubbed(&options, &source_hash(attr, item));
    Ok(quote! {
        ::cached_stubs::__private::select! {
            original { #item }
            stubbed { #stubbed }
        }
    })
}

/// What the generated code is made of.
struct Expansion<'a> {
    function: &'a Function,
    shape: &'a Shape,
    /// `::cached_stubs::__private`, the runtime's seam.
    private: TokenStream,
    /// The declared return type, `()` when there is none.
    return_type: TokenStream,
    /// Our locals, resolved at the macro's definition site: the user's body can't see them.
    site: Ident,
    step: Ident,
    run: Ident,
    output: Ident,
}

impl<'a> Expansion<'a> {
    fn new(function: &'a Function, shape: &'a Shape) -> Self {
        let local = |name: &str| Ident::new(&format!("__cached_stubs_{name}"), Span::mixed_site());
        Expansion {
            function,
            shape,
            private: quote!(::cached_stubs::__private),
            return_type: match &function.sig.output {
                ReturnType::Default => quote!(()),
                ReturnType::Type(_, ty) => ty.to_token_stream(),
            },
            site: local("site"),
            step: local("step"),
            run: local("run"),
            output: local("output"),
        }
    }

    /// The function with its body wrapped: look the call up, then replay, or run the
    /// original body and hand its result over for recording.
    fn stubbed(&self, options: &Options, source_hash: &str) -> TokenStream {
        let Function {
            outer_attrs,
            inner_attrs,
            vis,
            sig,
            ..
        } = self.function;
        let Expansion { private, site, .. } = self;
        let function_name = sig.ident.unraw().to_string();
        let folder_name = options
            .name
            .as_ref()
            .map_or(function_name.clone(), |name| name.value());
        let dir = match &options.dir {
            Some(dir) => quote!(::core::option::Option::Some(#dir)),
            None => quote!(::core::option::Option::None),
        };
        let body = match &self.shape.output {
            Output::Value => self.value_body(),
            Output::Sequence(sequence) => self.sequence_body(sequence),
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
                #body
            }
        }
    }

    /// A value (or `Result`): replayed, or the real one recorded by `Run::finish`.
    fn value_body(&self) -> TokenStream {
        let Expansion { run, output, .. } = self;
        let real_call = self.real_call();
        self.step(
            self.lookup(quote!(lookup), &self.return_type),
            quote!(#output),
            quote!(#run.finish(#real_call)),
        )
    }

    /// A stream or iterator: its recorded items replayed, or the real one teed, then boxed
    /// into the declared type if it is a named one.
    fn sequence_body(&self, sequence: &Sequence) -> TokenStream {
        let Expansion {
            private,
            run,
            output,
            ..
        } = self;
        let real_call = self.real_call();
        let (replay, run_and_tee) = if sequence.in_result {
            (
                quote!(::core::result::Result::Ok(#private::Stubbed::replay(#output))),
                quote!(#real_call.map(|#output| #run.tee(#output))),
            )
        } else {
            (
                quote!(#private::Stubbed::replay(#output)),
                quote!(#run.tee(#real_call)),
            )
        };
        let step = self.step(
            self.lookup(quote!(lookup_items), &sequence.item),
            replay,
            run_and_tee,
        );
        let boxing = match sequence.kind {
            Kind::Stream => quote!(::std::boxed::Box::pin),
            Kind::Iterator => quote!(::std::boxed::Box::new),
        };
        // The tail of a function coerces to its return type: `Box<Stubbed<..>>` becomes the
        // declared `Pin<Box<dyn Stream<..>>>` or `Box<dyn Iterator<..>>`.
        let returned = match (&sequence.named, sequence.in_result) {
            (None, _) => quote!(#output),
            (Some(_), false) => quote!(#boxing(#output)),
            (Some(named), true) => quote!(#output.map(|#output| -> #named { #boxing(#output) })),
        };
        quote! {
            let #output = { #step };
            #returned
        }
    }

    /// Looks the call up, then evaluates `replay` (the stub's content bound to `output`) or
    /// `run` (the `Run` bound to `run`).
    fn step(&self, lookup: TokenStream, replay: TokenStream, run: TokenStream) -> TokenStream {
        let Expansion {
            private,
            step,
            run: run_binding,
            output,
            ..
        } = self;
        quote! {
            // Bound before the `match`, so the borrowed arguments are gone before any await.
            let #step = #lookup;
            match #step {
                #private::Step::Replay(#output) => #replay,
                #private::Step::Run(#run_binding) => #run,
            }
        }
    }

    /// `lookup(site, &[args], shape)` or `lookup_items(..)`, the shape picked from `ty` by
    /// the runtime's `ShapeOf`, so that a `Result` is seen through any alias.
    fn lookup(&self, function: TokenStream, ty: &TokenStream) -> TokenStream {
        let Expansion { private, site, .. } = self;
        let args = self.shape.key_args.iter().map(|arg| {
            let (name, value) = (&arg.name, &arg.value);
            quote_spanned!(arg.span=> #private::arg(#name, &#value))
        });
        quote! {
            #private::#function(#site, &[#(#args),*], {
                use #private::{PickFallible as _, PickPlain as _};
                (&#private::ShapeOf::<#ty>::NEW).shape()
            })
        }
    }

    /// The original body, run: in a closure or an async block, so that `return` and `?`
    /// keep their meaning.
    fn real_call(&self) -> TokenStream {
        let Expansion {
            return_type,
            output,
            ..
        } = self;
        let block = &self.function.block;
        // An `impl Trait` return type can't be written on a closure or a `let`.
        let nameable = !mentions_impl(return_type.clone());
        match (self.shape.is_async, nameable) {
            // The never-taken `return` gives the block its type before the body is checked,
            // as in tracing-attributes: inference inside the body works as in the original.
            (true, true) => quote!(async move {
                #[allow(unreachable_code, clippy::diverging_sub_expression, clippy::empty_loop)]
                if false {
                    let #output: #return_type = loop {};
                    return #output;
                }
                #block
            }
            .await),
            (true, false) => quote!(async move #block.await),
            (false, true) => quote!((move || -> #return_type #block)()),
            (false, false) => quote!((move || #block)()),
        }
    }
}

fn mentions_impl(tokens: TokenStream) -> bool {
    tokens.into_iter().any(|token| match token {
        TokenTree::Ident(ident) => ident == "impl",
        TokenTree::Group(group) => mentions_impl(group.stream()),
        _ => false,
    })
}
