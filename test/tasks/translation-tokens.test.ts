import { describe, expect, it } from 'vitest'
import { translate } from '../../shared/tasks/translate'
import { placeholders, preservationViolations } from '../../shared/tasks/translation-tokens'
import { violationsOf } from './run-task'

describe('placeholders', () => {
  it('finds mustache, brace and printf placeholders', () => {
    expect(placeholders('Hi {{ first_name }}, {count} items for %s, %d left, %1$s and %2$d')).toEqual([
      '{{ first_name }}',
      '{count}',
      '%s',
      '%d',
      '%1$s',
      '%2$d',
    ])
  })
})

describe('preservationViolations', () => {
  const source =
    'Hi {{name}}, <a href="https://shop.example.com/sale?utm=mail" class="btn">shop the <b>sale</b></a> — %1$s left'

  it('accepts a translation that keeps every placeholder, tag and attribute', () => {
    const french =
      'Bonjour {{name}}, <a class="btn" href="https://shop.example.com/sale?utm=mail">découvrez les <b>soldes</b></a> — %1$s restants'
    expect(preservationViolations(source, french)).toEqual([])
  })

  it('names each missing or invented placeholder', () => {
    const french =
      'Bonjour {{nom}}, <a href="https://shop.example.com/sale?utm=mail" class="btn">les <b>soldes</b></a>'
    expect(preservationViolations(source, french)).toEqual([
      'placeholder {{name}} is missing from the translation',
      'placeholder %1$s is missing from the translation',
      'placeholder {{nom}} is not in the source',
    ])
  })

  it('counts repeated placeholders', () => {
    expect(preservationViolations('{x} and {x}', '{x} et')).toEqual([
      'placeholder {x} appears 1 times; the source has 2',
    ])
  })

  it('names missing tags and tags in another order', () => {
    expect(preservationViolations('<p>Hello <b>you</b></p>', '<p>Bonjour vous</p>')).toEqual([
      'tag <b> is missing from the translation',
      'tag </b> is missing from the translation',
    ])
    expect(preservationViolations('<b>a</b> <i>b</i>', '<i>b</i> <b>a</b>')).toEqual([
      'the tags are in a different order: <i> </i> <b> </b> instead of <b> </b> <i> </i>',
    ])
  })

  it('names a changed or dropped attribute but lets alt and title be translated', () => {
    const img = '<img src="/shoe.png" alt="Red shoe" title="Shoe"> <a href="https://example.com">buy</a>'
    expect(
      preservationViolations(
        img,
        '<img src="/shoe.png" alt="Chaussure rouge" title="Chaussure"> <a href="https://example.fr">acheter</a>',
      ),
    ).toEqual(['href of <a> #1 changed from "https://example.com" to "https://example.fr"'])
    expect(
      preservationViolations(
        img,
        '<img alt="Chaussure"> <a href="https://example.com" target="_blank">acheter</a>',
      ),
    ).toEqual([
      'src of <img> #1 is missing from the translation',
      '<a> #1 has a target attribute the source does not have',
    ])
  })
})

describe('translate task', () => {
  it('validates and canonicalises the target locale', () => {
    expect(translate.params.parse({ target_locale: 'pt-br' }).target_locale).toBe('pt-BR')
    expect(translate.params.safeParse({ target_locale: 'en_US' }).success).toBe(false)
    expect(translate.params.safeParse({ target_locale: 'not a locale' }).success).toBe(false)
  })

  it('reports lost markup as violations of the output', () => {
    const input = { text: 'Hello <b>{{name}}</b>' }
    expect(
      violationsOf(translate, { text: 'Bonjour <b>{{name}}</b>' }, input, { target_locale: 'fr' }),
    ).toEqual([])
    expect(violationsOf(translate, { text: 'Bonjour {{name}}' }, input, { target_locale: 'fr' })).toEqual([
      'tag <b> is missing from the translation',
      'tag </b> is missing from the translation',
    ])
  })
})
